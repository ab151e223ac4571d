import { randomUUID } from 'node:crypto';
import { Checkpoint, compareCheckpoints, type EventStore, type NewEvent } from '@cdt/event-store';
import { LedgerSealer } from './sealer';

/** Test data for the integrity specs: a few team streams written in interleaved appends, then sealed. */
export async function writeSampleLedger(store: EventStore, options: { streams?: number; appends?: number; everyEvents?: number; unsealedTail?: number } = {}): Promise<void> {
  const streams = options.streams ?? 4;
  const appends = options.appends ?? 5;
  let last: Checkpoint | undefined;
  for (let round = 0; round < appends; round++) {
    for (let s = 0; s < streams; s++) {
      const batch = Array.from({ length: 1 + ((round + s) % 3) }, (_, i) => sampleEvent(`team-${s}`, round * 10 + i));
      last = (await store.append(`team-${s}`, batch, 'any')).events.at(-1)?.position;
    }
  }
  if (last) await untilVisible(store, last);
  await new LedgerSealer(store, { everyEvents: options.everyEvents ?? 10, everyMs: 0 }).sealPending(true);
  for (let i = 0; i < (options.unsealedTail ?? 3); i++) {
    last = (await store.append(`team-${i % streams}`, [sampleEvent(`team-${i % streams}`, 1000 + i)], 'any')).events.at(-1)?.position;
  }
  if (last) await untilVisible(store, last);
}

/**
 * Waits until gap-safe readers see `position`. On a PostgreSQL server shared with other work, a
 * transaction running elsewhere holds the snapshot's xmin back and keeps fresh commits invisible a while.
 */
export async function untilVisible(store: EventStore, position: Checkpoint, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (compareCheckpoints(await store.head(), position) < 0) {
    if (Date.now() > deadline) throw new Error(`position ${JSON.stringify(position)} not visible after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function sampleEvent(teamId: string, n: number): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'HouseholdVisitRecorded',
    schemaVersion: 1,
    data: { teamId, householdRef: `hh_${n}`, skills: ['dvctt', 'payment'], note: `lượt thăm ${n}` },
    metadata: { occurredAt: '2025-07-01T09:00:00+07:00', actor: 'fixture', correlationId: randomUUID() },
  };
}
