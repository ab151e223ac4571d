import { randomUUID } from 'node:crypto';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import { Client } from 'pg';
import type { NewEvent, RecordedEvent } from '../event-store.port';
import { openEventStore } from '../open-event-store';
import { appendPayloadJson } from '../sql-event-store';

const WRITERS = 8;
const EVENTS_PER_WRITER = 2_600;

type Mode = 'commit' | 'slow-commit' | 'rollback';

function batch(size: number, writer: number): NewEvent[] {
  return Array.from({ length: size }, (_, i) => ({
    eventId: randomUUID(),
    type: 'GapProbe',
    schemaVersion: 1,
    data: { writer, i },
    metadata: { occurredAt: '2025-07-01T09:00:00+07:00', actor: `writer-${writer}`, correlationId: randomUUID() },
  }));
}

/**
 * One writer on its own connection: plain appends, appends held open by pg_sleep before COMMIT (their
 * global positions are taken early but become visible late), and appends rolled back.
 */
async function runWriter(url: string, writer: number, committed: Set<string>, rolledBack: Set<string>): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    let written = 0;
    for (let k = 0; written < EVENTS_PER_WRITER; k++) {
      const events = batch(1 + Math.floor(Math.random() * 12), writer);
      const stream = k % 4 === 0 ? `gap-shared-${k % 3}` : `gap-${writer}-${k % 10}`;
      const roll = Math.random();
      const mode: Mode = roll < 0.08 ? 'rollback' : roll < 0.2 ? 'slow-commit' : 'commit';
      const append = () => client.query('select * from event_store.cdt_append($1, -1, $2::jsonb)', [stream, appendPayloadJson(events)]);
      if (mode === 'commit') {
        await append();
      } else {
        await client.query('begin');
        await append();
        await client.query('select pg_sleep($1)', [0.005 + Math.random() * 0.045]);
        await client.query(mode === 'rollback' ? 'rollback' : 'commit');
      }
      const target = mode === 'rollback' ? rolledBack : committed;
      for (const event of events) target.add(event.eventId);
      if (mode !== 'rollback') written += events.length;
    }
  } finally {
    await client.end();
  }
}

async function untilReceived(received: RecordedEvent[], committed: Set<string>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const seen = new Set<string>();
  let scanned = 0;
  while (Date.now() < deadline) {
    for (; scanned < received.length; scanned++) seen.add(received[scanned].eventId);
    if ([...committed].every((id) => seen.has(id))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeWithEngine('postgres', 'gap safety on PostgreSQL', () => {
  it(`delivers every committed event exactly once, in per-stream order, to a subscriber racing ${WRITERS} writers`, async () => {
    const database = await freshPostgresDatabase();
    const store = await openEventStore({ kind: 'postgres', url: database.appUrl, adminUrl: database.adminUrl, pollIntervalMs: 200 });
    try {
      const received: RecordedEvent[] = [];
      const subscription = store.subscribe({ batchSize: 300, handler: async (events) => void received.push(...events) });
      const committed = new Set<string>();
      const rolledBack = new Set<string>();
      await Promise.all(Array.from({ length: WRITERS }, (_, writer) => runWriter(database.appUrl, writer, committed, rolledBack)));
      // A committed event becomes visible only once every older transaction on the whole server has
      // ended (that is the gap safety), and other suites share this server: wait for the subscriber to
      // have them all rather than trusting one caughtUp(), then settle so a late duplicate would show.
      await untilReceived(received, committed, 180_000);
      await subscription.caughtUp();
      await subscription.stop();

      expect(committed.size).toBeGreaterThanOrEqual(20_000);
      expect(rolledBack.size).toBeGreaterThan(0);
      const ids = received.map((event) => event.eventId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.filter((id) => rolledBack.has(id))).toEqual([]);
      expect(ids.filter((id) => !committed.has(id))).toEqual([]);
      expect([...committed].filter((id) => !ids.includes(id))).toEqual([]);
      // Projections rely on seeing a stream's events in version order (see cdt_append's advisory lock).
      const lastVersion = new Map<string, number>();
      for (const event of received) {
        expect(event.streamVersion).toBe((lastVersion.get(event.streamName) ?? 0) + 1);
        lastVersion.set(event.streamName, event.streamVersion);
      }
    } finally {
      await store.close();
      await database.drop();
    }
  }, 300_000);
});
