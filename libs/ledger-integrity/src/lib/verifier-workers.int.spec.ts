import { openEventStore, type ManagedEventStore } from '@cdt/event-store';
import { readRange, readSeals } from './ledger-log';
import { writeSampleLedger } from './ledger.fixture';
import { verifyLedger, type VerifyOptions } from './verifier';

/**
 * Verify hashes on worker threads once the log is longer than a page: the report must be exactly the
 * one hashing on the main thread gives, clean or tampered (the tamper specs cover the single-page path
 * on PostgreSQL; PGlite's single superuser edits rows here).
 */
describe('verify on worker threads (embedded PGlite)', () => {
  let store: ManagedEventStore;
  beforeEach(async () => {
    store = await openEventStore({ kind: 'memory' });
    await writeSampleLedger(store, { streams: 5, appends: 8, everyEvents: 12 });
  });
  afterEach(() => store?.close());

  const both = async () => {
    const pages: number[] = [];
    const onWorkers: VerifyOptions = { workers: 2, pageSize: 3, onProgress: (n) => pages.push(n) };
    const [inline, threaded] = [await verifyLedger(store, { workers: 0, pageSize: 1000 }), await verifyLedger(store, onWorkers)];
    expect(pages.length).toBeGreaterThan(10);
    return { inline, threaded };
  };

  it('agrees on a clean ledger', async () => {
    const { inline, threaded } = await both();
    expect(inline).toMatchObject({ ok: true, findingCount: 0 });
    expect(threaded).toEqual(inline);
  });

  it('agrees on every finding, and names the same first bad event, after edits, a deletion and a swap', async () => {
    const seal = (await readSeals(store)).seals[1];
    const sealed = await readRange(store, seal.data.from, seal.data.to);
    const [edited, deleted, a, b] = [sealed[2], sealed[5], sealed[7], sealed[9]];
    await store.database.query(`update event_store.events set data = jsonb_set(data, '{note}', '"sửa"') where event_id = $1`, [edited.eventId]);
    await store.database.query('delete from event_store.events where event_id = $1', [deleted.eventId]);
    await store.database.query(
      `update event_store.events set global_position = case when event_id = $1 then -1 when event_id = $2 then $3::bigint end where event_id in ($1, $2)`,
      [a.eventId, b.eventId, a.position.globalPosition],
    );
    await store.database.query('update event_store.events set global_position = $2::bigint where event_id = $1', [a.eventId, b.position.globalPosition]);
    const { inline, threaded } = await both();
    expect(inline.ok).toBe(false);
    expect(inline.firstBad).toMatchObject({ kind: 'content-digest-mismatch', eventId: edited.eventId });
    expect(inline.findings.map((f) => f.kind)).toEqual(expect.arrayContaining(['missing-event', 'order']));
    expect(threaded).toEqual(inline);
  });
});
