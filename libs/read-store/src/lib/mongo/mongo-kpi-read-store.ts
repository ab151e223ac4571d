import type { Checkpoint } from '@cdt/event-store';
import type { KpiDeltas, Level, TeamContributions, TeamRecord, UnitFigures, View } from '@cdt/domain-kpi';
import type { PeriodKind } from '@cdt/domain-shared';
import type { mongo } from 'mongoose';
import type { FiguresUnder, FiguresUnderQuery } from '../figures-under';
import type { KpiReadStore } from '../read-store.port';
import { batchPosition, type BatchPosition } from './batch-position';
import { journalText, readJournal, validateDeltas, writeJournal } from './batch-journal';
import { writeGuarded } from './guarded-writes';
import { changedAfter, ensureKpiIndexes, kpiCollections, type CheckpointDoc, type KpiCollections, type PendingBatch } from './mongo-documents';
import { childrenOfUnit, figuresOfUnits, figuresUnderParent } from './mongo-kpi-queries';

const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const CHECKPOINT_ID = 'checkpoint' as const;

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

/**
 * The KPI read store on MongoDB, without multi-document transactions. A batch is journaled, marked
 * pending on the checkpoint document, written with per-document high-water marks, and committed by
 * moving the checkpoint; an unfinished batch is completed from its journal by the next attempt or the
 * next process to open the store. The argument is in docs/adr/0004-kpi-read-models.md, "MongoDB".
 */
export class MongoKpiReadStore implements KpiReadStore {
  private constructor(
    private readonly db: mongo.Db,
    private readonly c: KpiCollections,
    private readonly onClose: () => Promise<void>,
  ) {}

  /** Creates the indexes and completes a batch left unfinished by a crash. `schema` names the model version. */
  static async open(db: mongo.Db, options: { schema?: string; onClose?: () => Promise<void> } = {}): Promise<MongoKpiReadStore> {
    const schema = options.schema ?? 'kpi_v1';
    if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid read-model schema name ${schema}`);
    const c = kpiCollections(db, schema);
    await ensureKpiIndexes(c);
    const store = new MongoKpiReadStore(db, c, options.onClose ?? (async () => undefined));
    await store.completePending();
    return store;
  }

  private async state(): Promise<CheckpointDoc | undefined> {
    return (await this.c.checkpoint.findOne({ _id: CHECKPOINT_ID })) ?? undefined;
  }

  async checkpoint(): Promise<Checkpoint | undefined> {
    const state = await this.state();
    return state?.transactionId !== undefined && state.globalPosition !== undefined
      ? { transactionId: state.transactionId, globalPosition: state.globalPosition }
      : undefined;
  }

  async applyBatch(deltas: KpiDeltas, checkpoint: Checkpoint): Promise<boolean> {
    validateDeltas(deltas);
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
    await writeGuarded(this.c, deltas, end);
    await this.commit(pending);
    return true;
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

  private async completePending(): Promise<void> {
    const pending = (await this.state())?.pending;
    if (pending) await this.complete(pending);
  }

  /** Re-applies a journaled batch (guarded writes skip what is done) and commits it. */
  private async complete(pending: PendingBatch): Promise<void> {
    const deltas = await readJournal(this.c, pending.end, pending.chunks, pending.digest);
    if (!deltas) {
      const at = (await this.state())?.at;
      if (at !== undefined && at >= pending.end) return;
      throw new Error(`the journal of the unfinished batch ending at ${pending.end} is incomplete`);
    }
    await writeGuarded(this.c, deltas, pending.end);
    await this.commit(pending);
  }

  // ── the projector's reads: the model as at the checkpoint, even while a batch is unfinished ─────────
  async appliedAmong(eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const at = (await this.state())?.at;
    const docs = await this.c.applied.find({ _id: { $in: [...eventIds] } }).toArray();
    return new Set(docs.filter((d) => !changedAfter(d.at, at)).map((d) => d._id));
  }

  async teams(): Promise<TeamRecord[]> {
    const at = (await this.state())?.at;
    const teams: TeamRecord[] = [];
    for (const doc of await this.c.teams.find({}).toArray()) {
      const record = changedAfter(doc.appliedUpTo, at) ? doc.prev : doc.record;
      if (record) teams.push(record);
    }
    return teams;
  }

  async contributionsOf(teamId: string): Promise<TeamContributions> {
    const at = (await this.state())?.at;
    const ofTeam = { view: 'current' as const, level: 'team' as const, unitKey: teamId };
    const [figures, refs] = await Promise.all([this.c.figures.find(ofTeam).toArray(), this.c.refs.find(ofTeam).toArray()]);
    const asAtCheckpoint = <D extends { appliedUpTo: BatchPosition; created: BatchPosition; lastDelta: number }>(doc: D, value: number) =>
      changedAfter(doc.created, at) ? undefined : changedAfter(doc.appliedUpTo, at) ? value - doc.lastDelta : value;
    const counts: TeamContributions['counts'][number][] = [];
    for (const doc of figures) {
      const value = asAtCheckpoint(doc, doc.value);
      if (value !== undefined) counts.push({ periodKind: doc.periodKind as PeriodKind, periodKey: doc.periodKey, indicator: doc.indicator, value });
    }
    const subjects: TeamContributions['refs'][number][] = [];
    for (const doc of refs) {
      const count = asAtCheckpoint(doc, doc.count);
      if (count !== undefined && count !== 0) subjects.push({ periodKind: doc.periodKind, periodKey: doc.periodKey, indicator: doc.indicator, subject: doc.subject, count });
    }
    return { counts, refs: subjects };
  }

  // ── queries: what is written so far (a batch in progress may be partly visible) ───────────────────
  figures(view: View, level: Level, unitKeys: readonly string[], period: string): Promise<UnitFigures[]> {
    return figuresOfUnits(this.c, view, level, unitKeys, period);
  }

  children(view: View, level: Level, unitKey: string, childLevel: Level, period: string): Promise<string[]> {
    return childrenOfUnit(this.c, view, level, unitKey, childLevel, period);
  }

  figuresUnder(query: FiguresUnderQuery): Promise<FiguresUnder> {
    return figuresUnderParent(this.c, query);
  }

  async health(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
