import { Checkpoint, compareCheckpoints, EventStore, RecordedEvent } from '@cdt/event-store';
import { LEDGER_STREAM } from '@cdt/domain-shared';
import { LEDGER_SEALED, LedgerSealedData, parseSeal } from './seal';

/** A seal as stored: its data and the ledger event that carries it. */
export interface StoredSeal {
  data: LedgerSealedData;
  event: RecordedEvent;
}

export const ZERO_HASH_HEX = '0'.repeat(64);

/** The LedgerSealed events of the ledger stream from `fromVersion` on, as stored (raw). */
export async function readSeals(store: EventStore, fromVersion = 1): Promise<{ seals: StoredSeal[]; ledgerVersion: number; malformed: RecordedEvent[] }> {
  const events = await store.readStream(LEDGER_STREAM, { fromVersion, raw: true });
  const seals: StoredSeal[] = [];
  const malformed: RecordedEvent[] = [];
  for (const event of events) {
    if (event.type !== LEDGER_SEALED) continue;
    try {
      seals.push({ data: parseSeal(event.data), event });
    } catch {
      malformed.push(event);
    }
  }
  return { seals, ledgerVersion: events.at(-1)?.streamVersion ?? fromVersion - 1, malformed };
}

/**
 * The events with `from < position <= to`, in the gap-safe order, read raw in pages. Stops early when
 * the visible head is reached (a sealed range is always visible: the sealer only sealed visible rows).
 */
export async function readRange(store: EventStore, from: Checkpoint, to: Checkpoint, pageSize = 5000): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let after = from;
  for (;;) {
    const page = await store.readAll({ after, limit: pageSize, raw: true });
    for (const event of page.events) {
      if (compareCheckpoints(event.position, to) > 0) return events;
      events.push(event);
    }
    if (page.atHead || page.events.length === 0) return events;
    after = page.checkpoint;
  }
}
