import { randomUUID } from 'node:crypto';
import { Checkpoint, EventStore, RecordedEvent, START, WrongExpectedVersionError } from '@cdt/event-store';
import { LEDGER_STREAM } from '@cdt/domain-shared';
import { readSeals, StoredSeal, ZERO_HASH_HEX } from './ledger-log';
import { leafHash, merkleRoot } from './merkle';
import { encodeIndex, LEDGER_SEALED, LEDGER_SEALED_SCHEMA_VERSION, LedgerSealedData } from './seal';

export interface SealerOptions {
  /** Seal as soon as this many events are unsealed (one seal per full range). */
  everyEvents: number;
  /** Seal whatever is unsealed once its oldest event is this old, even if fewer than `everyEvents`. */
  everyMs: number;
  /** Recorded as the seal's actor. */
  actor?: string;
}

export const DEFAULT_SEALER_OPTIONS: SealerOptions = { everyEvents: 1000, everyMs: 5 * 60_000, actor: 'ledger-sealer' };

/**
 * Appends `LedgerSealed` events to the ledger stream: the Merkle root over each range of the gap-safe
 * log, chained to the previous seal. Ranges come from `readAll`, which only returns rows older than
 * every running transaction, so a sealed range can never gain an event later. Two sealers racing meet
 * at the ledger stream's expected version: the loser reloads and carries on from the winner's seal.
 */
export class LedgerSealer {
  private last: StoredSeal | undefined;
  private ledgerVersion = 0;
  private loaded = false;

  constructor(
    private readonly store: EventStore,
    private readonly options: SealerOptions = DEFAULT_SEALER_OPTIONS,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (!Number.isInteger(options.everyEvents) || options.everyEvents < 1) throw new RangeError('everyEvents must be a positive integer');
    if (!Number.isFinite(options.everyMs) || options.everyMs < 0) throw new RangeError('everyMs must be a non-negative number');
  }

  /**
   * Seals every full range now unsealed, then the partial rest if its oldest event is older than
   * `everyMs` (or `force` is set). Returns the seals it appended, oldest first.
   */
  async sealPending(force = false): Promise<LedgerSealedData[]> {
    const sealed: LedgerSealedData[] = [];
    for (;;) {
      await this.catchUp();
      const from = this.last?.data.to ?? START;
      const page = await this.store.readAll({ after: from, limit: this.options.everyEvents, raw: true });
      const full = page.events.length === this.options.everyEvents;
      if (!full && !this.partialIsDue(page.events, force)) return sealed;
      try {
        sealed.push(await this.seal(from, page.events));
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        // Another sealer got there first: reload its seal and continue from it.
      }
      if (!full) return sealed;
    }
  }

  private partialIsDue(events: RecordedEvent[], force: boolean): boolean {
    // A range holding nothing but the previous seal is not worth sealing (seals would seal seals forever).
    const oldest = events.find((event) => event.streamName !== LEDGER_STREAM);
    if (!oldest) return false;
    return force || this.now().getTime() - Date.parse(oldest.recordedAt) >= this.options.everyMs;
  }

  private async seal(from: Checkpoint, events: RecordedEvent[]): Promise<LedgerSealedData> {
    const leaves = events.map((event) => leafHash(Buffer.from(event.hash, 'hex')));
    const data: LedgerSealedData = {
      sealNumber: (this.last?.data.sealNumber ?? 0) + 1,
      from,
      to: events[events.length - 1].position,
      count: events.length,
      root: merkleRoot(leaves).toString('hex'),
      prevSealHash: this.last?.event.hash ?? ZERO_HASH_HEX,
      index: encodeIndex(events.map((event, i) => ({ globalPosition: BigInt(event.position.globalPosition), leaf: leaves[i] }))),
    };
    const correlationId = randomUUID();
    await this.store.append(
      LEDGER_STREAM,
      [{
        eventId: randomUUID(),
        type: LEDGER_SEALED,
        schemaVersion: LEDGER_SEALED_SCHEMA_VERSION,
        data: { ...data },
        metadata: { occurredAt: this.now().toISOString(), actor: this.options.actor ?? 'ledger-sealer', correlationId },
      }],
      this.ledgerVersion,
    );
    return data;
  }

  /** Reads the ledger stream past what this sealer has seen (all of it the first time). */
  private async catchUp(): Promise<void> {
    const { seals, ledgerVersion } = await readSeals(this.store, this.loaded ? this.ledgerVersion + 1 : 1);
    this.loaded = true;
    this.ledgerVersion = Math.max(this.ledgerVersion, ledgerVersion);
    if (seals.length > 0) this.last = seals[seals.length - 1];
  }
}
