import type { Checkpoint } from '@cdt/event-store';
import type { mongo } from 'mongoose';
import { batchPosition, type BatchPosition } from './batch-position';
import { journalText, readJournal, writeJournal } from './batch-journal';
import type { CheckpointDoc, JournalDoc, PendingBatch } from './mongo-documents';

/**
 * The batch protocol of the MongoDB read models (model 1 and model 2), without multi-document
 * transactions: a batch is validated, journaled, marked pending on the checkpoint document, written with
 * per-document high-water marks, and committed by moving the checkpoint last; an unfinished batch is
 * completed from its journal by the next attempt or the next process to open the store. The argument is
 * in docs/adr/0004-kpi-read-models.md, "MongoDB". What differs per model is only how its deltas are
 * checked and written (`BatchWriter`).
 */

const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const CHECKPOINT_ID = 'checkpoint' as const;

/** A model version's name, which prefixes its collections (`kpi_v1`, `kpi2_v1`). */
export const requireSchemaName = (schema: string): string => {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid read-model schema name ${schema}`);
  return schema;
};

/** Thrown when a batch arrives while another, interrupted batch is unfinished and is not that batch. */
export class InterruptedBatchError extends Error {
  constructor(readonly completed: Checkpoint) {
    super(
      `an interrupted batch ending at ${completed.transactionId}/${completed.globalPosition} was completed from its journal first; ` +
        're-read checkpoint() and the projector state, and continue from there',
    );
    this.name = 'InterruptedBatchError';
  }
}

export interface BatchCollections {
  checkpoint: mongo.Collection<CheckpointDoc>;
  journal: mongo.Collection<JournalDoc>;
}

/** How one model's deltas are checked and written. */
export interface BatchWriter<D> {
  /**
   * Throws on deltas the database could refuse half-way: without transactions such a batch would stay
   * half-written, so it is refused before anything is journaled.
   */
  validate(deltas: D): void;
  /** Writes the deltas with `at` as every document's high-water mark: running it again, or finishing a run cut anywhere, gives one run's result. */
  write(deltas: D, at: BatchPosition): Promise<void>;
}

export class JournaledBatches<D> {
  constructor(
    private readonly c: BatchCollections,
    private readonly writer: BatchWriter<D>,
  ) {}

  private async state(): Promise<CheckpointDoc | undefined> {
    return (await this.c.checkpoint.findOne({ _id: CHECKPOINT_ID })) ?? undefined;
  }

  /** The position of the last committed batch: the projector's reads answer as at it, even while a batch is unfinished. */
  async at(): Promise<BatchPosition | undefined> {
    return (await this.state())?.at;
  }

  async checkpoint(): Promise<Checkpoint | undefined> {
    const state = await this.state();
    return state?.transactionId !== undefined && state.globalPosition !== undefined
      ? { transactionId: state.transactionId, globalPosition: state.globalPosition }
      : undefined;
  }

  /** Applies the batch ending at `checkpoint`; false when it is applied already (a replay or an older batch). */
  async apply(deltas: D, checkpoint: Checkpoint): Promise<boolean> {
    this.writer.validate(deltas);
    const end = batchPosition(checkpoint);
    const journal = journalText(deltas);
    const state = await this.state();
    if (state?.pending) {
      const pending = state.pending;
      await this.complete(pending);
      // The same batch again (the caller's retry): done now. An older one: applied already.
      if (pending.end === end && pending.digest === journal.digest) return true;
      if (end < pending.end) return false;
      // Other deltas: they may cover the interrupted batch's events too (counted twice if applied), or
      // were projected from other inputs (the caller's projector state is not the store's).
      throw new InterruptedBatchError({ transactionId: pending.transactionId, globalPosition: pending.globalPosition });
    }
    if (state?.at !== undefined && end <= state.at) return false;

    await writeJournal(this.c, end, journal);
    const pending: PendingBatch = { end, transactionId: checkpoint.transactionId, globalPosition: checkpoint.globalPosition, chunks: journal.chunks, digest: journal.digest };
    await this.markPending(state, pending);
    await this.writer.write(deltas, end);
    await this.commit(pending);
    return true;
  }

  /** Completes a batch a crash left unfinished (at open). */
  async completePending(): Promise<void> {
    const pending = (await this.state())?.pending;
    if (pending) await this.complete(pending);
  }

  /** Claims the next batch: only if the checkpoint is still where this writer read it (one writer at a time). */
  private async markPending(state: CheckpointDoc | undefined, pending: PendingBatch): Promise<void> {
    if (!state) {
      try {
        await this.c.checkpoint.insertOne({ _id: CHECKPOINT_ID, pending });
        return;
      } catch (error) {
        throw new Error(`another writer started the first batch of this read model at the same time: ${(error as Error).message}`);
      }
    }
    const where = state.at === undefined ? { at: { $exists: false } } : { at: state.at };
    const claimed = await this.c.checkpoint.updateOne({ _id: CHECKPOINT_ID, ...where, pending: { $exists: false } }, { $set: { pending } });
    if (claimed.matchedCount !== 1) throw new Error('another writer moved this read model while this batch was being prepared');
  }

  /** The checkpoint document is written last: the batch is applied from here on. */
  private async commit(pending: PendingBatch): Promise<void> {
    await this.c.checkpoint.updateOne(
      { _id: CHECKPOINT_ID, 'pending.end': pending.end },
      { $set: { transactionId: pending.transactionId, globalPosition: pending.globalPosition, at: pending.end }, $unset: { pending: '' } },
    );
  }

  /** Re-applies a journaled batch (guarded writes skip what is done) and commits it. */
  private async complete(pending: PendingBatch): Promise<void> {
    const deltas = await readJournal<D>(this.c, pending.end, pending.chunks, pending.digest);
    if (!deltas) {
      const at = (await this.state())?.at;
      if (at !== undefined && at >= pending.end) return;
      throw new Error(`the journal of the unfinished batch ending at ${pending.end} is incomplete`);
    }
    await this.writer.write(deltas, pending.end);
    await this.commit(pending);
  }
}
