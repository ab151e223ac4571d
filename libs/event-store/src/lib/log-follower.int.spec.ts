import { randomUUID } from 'node:crypto';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import { Client } from 'pg';
import type { EventStore, NewEvent, RecordedEvent } from './event-store.port';
import { LogFollower } from './log-follower';
import { openEventStore } from './open-event-store';

const event = (type: string, i: number): NewEvent => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  data: { i },
  metadata: { occurredAt: '2026-01-05T09:00:00+07:00', actor: 'ministry-1', correlationId: randomUUID() },
});

const follow = (store: EventStore) => {
  const seen: RecordedEvent[] = [];
  const follower = new LogFollower(store, { filter: { types: ['Wanted'] }, pageSize: 2, apply: (e) => void seen.push(e) });
  return { seen, follower };
};

describe('LogFollower, an in-memory view of the log caught up in commit order (embedded store)', () => {
  let store: EventStore;
  beforeAll(async () => {
    store = await openEventStore({ kind: 'memory' });
  });
  afterAll(() => store?.close());

  it('applies the matching events once each, in commit order, across pages and catch-ups', async () => {
    const { seen, follower } = follow(store);
    await store.append('probe-a', [event('Wanted', 1), event('Other', 2), event('Wanted', 3)], 'no-stream');
    await follower.catchUp();
    await store.append('probe-b', [event('Wanted', 4), event('Wanted', 5), event('Wanted', 6)], 'no-stream');
    await Promise.all([follower.catchUp(), follower.catchUp()]);
    expect(seen.map((e) => (e.data as { i: number }).i)).toEqual([1, 3, 4, 5, 6]);
  });

  it('reaches an appended position at once when the store shows it', async () => {
    const { seen, follower } = follow(store);
    const appended = await store.append('probe-c', [event('Wanted', 7)], 'no-stream');
    expect(await follower.reach(appended.events[0].position)).toBe(true);
    expect(seen.at(-1)?.eventId).toBe(appended.events[0].eventId);
  });
});

describeWithEngine('postgres', 'LogFollower.reach on PostgreSQL: read your own write past the gap-safe horizon', () => {
  it('waits while an older transaction hides the appended event, and sees it once that transaction ends', async () => {
    const database = await freshPostgresDatabase();
    const store = await openEventStore({ kind: 'postgres', url: database.appUrl, adminUrl: database.adminUrl });
    const blocker = new Client({ connectionString: database.adminUrl });
    await blocker.connect();
    try {
      const { seen, follower } = follow(store);
      // A transaction with an id, begun before the append: readers must not pass it (gap safety).
      await blocker.query('begin');
      await blocker.query('select pg_current_xact_id()');
      const appended = await store.append('probe-d', [event('Wanted', 8)], 'no-stream');
      const position = appended.events[0].position;

      expect(await follower.reach(position, { timeoutMs: 300 })).toBe(false);
      expect(seen).toHaveLength(0);

      const reached = follower.reach(position, { timeoutMs: 60_000 });
      await blocker.query('commit');
      expect(await reached).toBe(true);
      expect(seen.map((e) => e.eventId)).toEqual([appended.events[0].eventId]);
    } finally {
      await blocker.end();
      await store.close();
      await database.drop();
    }
  });
});
