import { Checkpoint, computeChainHash, contentDigest, GENESIS_HASH, ManagedEventStore, NewEvent, openEventStore, RecordedEvent } from '@cdt/event-store';
import { describeWithEngine, freshPostgresDatabase, type FreshPostgresDatabase } from '@cdt/testing';
import { Client } from 'pg';
import { readRange, readSeals, StoredSeal } from './ledger-log';
import { sampleEvent, untilVisible, writeSampleLedger } from './ledger.fixture';
import { checkProof, proveEvent } from './proof';
import { LedgerSealer } from './sealer';
import { verifyLedger, type VerifyCheckpoint } from './verifier';

/**
 * Tampering for real: the owner of the database (who may edit rows, unlike the application role) edits,
 * deletes, forges and reorders stored events; verify must fail and name the exact event each time.
 */
describeWithEngine('postgres', 'ledger integrity against tampering on PostgreSQL', () => {
  let database: FreshPostgresDatabase;
  let store: ManagedEventStore;
  let owner: Client;
  let seal: StoredSeal;
  let sealed: RecordedEvent[];

  beforeEach(async () => {
    database = await freshPostgresDatabase();
    store = await openEventStore({ kind: 'postgres', url: database.appUrl, adminUrl: database.adminUrl, poolSize: 2 });
    await writeSampleLedger(store);
    owner = new Client({ connectionString: database.adminUrl });
    await owner.connect();
    // The second seal's range, away from the edges, is where the tampering happens.
    seal = (await readSeals(store)).seals[1];
    sealed = await readRange(store, seal.data.from, seal.data.to);
  });

  afterEach(async () => {
    await owner?.end();
    await store?.close();
    await database?.drop();
  });

  /** An event in the middle of the sealed range whose stream goes on after it. */
  const victim = () => sealed.find((event, i) => i > 1 && sealed.some((later) => later.streamName === event.streamName && later.streamVersion > event.streamVersion)) as RecordedEvent;

  it('verifies an untouched ledger, and proves an event offline', async () => {
    const report = await verifyLedger(store, { pageSize: 7 });
    const seals = (await readSeals(store)).seals;
    const unsealed = await store.readAll({ after: seals[seals.length - 1].data.to, limit: 1000 });
    expect(report).toMatchObject({ ok: true, findingCount: 0, sealsChecked: seals.length, unsealedEvents: unsealed.events.length });
    expect(report.eventsChecked).toBe(seals.reduce((n, s) => n + s.data.count, 0) + unsealed.events.length);
    const proof = await proveEvent(store, victim().eventId);
    expect(checkProof(proof, seal.data.root).valid).toBe(true);
    expect(checkProof({ ...proof, event: { ...proof.event, data: { ...proof.event.data, note: 'changed' } } }).valid).toBe(false);
  });

  it("names the event whose data was edited", async () => {
    const target = victim();
    await owner.query(`update event_store.events set data = jsonb_set(data, '{note}', '"sửa lại"') where event_id = $1`, [target.eventId]);
    const report = await verifyLedger(store);
    expect(report.ok).toBe(false);
    expect(report.firstBad).toMatchObject({ kind: 'content-digest-mismatch', eventId: target.eventId, streamName: target.streamName, streamVersion: target.streamVersion, position: target.position });
  });

  it('names the event that was rewritten and re-hashed with its stream head patched', async () => {
    const target = victim();
    const [prev] = await store.readStream(target.streamName, { fromVersion: target.streamVersion - 1, limit: 1, raw: true });
    const forged = { ...target, data: { ...target.data, note: 'viết lại' } };
    const hash = computeChainHash(prev ? Buffer.from(prev.hash, 'hex') : GENESIS_HASH, contentDigest(forged), target.streamName, target.streamVersion, BigInt(Date.parse(target.recordedAt)) * 1000n + BigInt(target.recordedAt.slice(23, 26)));
    await owner.query(`update event_store.events set data = $2::jsonb, hash = $3 where event_id = $1`, [target.eventId, JSON.stringify(forged.data), hash]);
    const report = await verifyLedger(store);
    expect(report.firstBad).toMatchObject({ kind: 'chain-break', eventId: target.eventId, sealNumber: seal.data.sealNumber });
  });

  it('names the position, stream and version of a deleted event', async () => {
    const target = victim();
    await owner.query('delete from event_store.events where event_id = $1', [target.eventId]);
    const report = await verifyLedger(store);
    expect(report.firstBad).toMatchObject({ kind: 'missing-event', sealNumber: seal.data.sealNumber, position: { globalPosition: target.position.globalPosition } });
    expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'missing-event', streamName: target.streamName, streamVersion: target.streamVersion }));
  });

  it('names a forged event inserted inside a sealed range with a valid chain and a patched streams table', async () => {
    // The forger takes the transaction id of a sealed event, so the row sorts inside the sealed range.
    const host = sealed.find((event) => event.position.transactionId !== seal.data.to.transactionId) as RecordedEvent;
    const forged = { ...sampleEvent('team-forged', 1), eventId: '00000000-0000-4000-8000-00000000f0f0' };
    const micros = 1751335200000000n;
    const hash = computeChainHash(GENESIS_HASH, contentDigest(forged), 'team-forged', 1, micros);
    const position = (BigInt(host.position.globalPosition) + 100_000n).toString();
    await owner.query(
      `insert into event_store.events (transaction_id, global_position, stream_name, stream_version, event_id, event_type, schema_version, data, metadata, recorded_at, hash)
       values ($1::text::xid8, $2, 'team-forged', 1, $3, $4, 1, $5, $6, to_timestamp($7::double precision / 1e6), $8)`,
      [host.position.transactionId, position, forged.eventId, forged.type, JSON.stringify(forged.data), JSON.stringify(forged.metadata), Number(micros), hash],
    );
    await owner.query(`insert into event_store.streams values ('team-forged', 1, $1)`, [hash]);
    const report = await verifyLedger(store);
    expect(report.firstBad).toMatchObject({ kind: 'unexpected-event', eventId: forged.eventId, streamName: 'team-forged', sealNumber: seal.data.sealNumber });
  });

  it('names a forged event appended after the last seal without going through cdt_append', async () => {
    const forged = sampleEvent('team-0', 99);
    const [head] = (await store.readStreamHeads()).filter((h) => h.streamName === 'team-0');
    const hash = computeChainHash(Buffer.from(head.lastHash, 'hex'), contentDigest(forged), 'team-0', head.version + 1, 1751335200000000n);
    const { rows } = await owner.query(
      `insert into event_store.events (stream_name, stream_version, event_id, event_type, schema_version, data, metadata, recorded_at, hash)
       values ('team-0', $1, $2, $3, 1, $4, $5, to_timestamp(1751335200), $6)
       returning transaction_id::text as "transactionId", global_position::text as "globalPosition"`,
      [head.version + 1, forged.eventId, forged.type, JSON.stringify(forged.data), JSON.stringify(forged.metadata), hash],
    );
    await untilVisible(store, rows[0]);
    const report = await verifyLedger(store);
    expect(report.firstBad).toMatchObject({ kind: 'unexpected-event', streamName: 'team-0', streamVersion: head.version + 1 });
  });

  it('names the first of two events whose global positions were swapped', async () => {
    const a = victim();
    const b = sealed.filter((event) => event.streamName !== a.streamName && event.position.transactionId !== a.position.transactionId).at(-1) as RecordedEvent;
    await owner.query('begin');
    await owner.query('update event_store.events set global_position = -1 where event_id = $1', [a.eventId]);
    await owner.query('update event_store.events set global_position = $2 where event_id = $1', [b.eventId, a.position.globalPosition]);
    await owner.query('update event_store.events set global_position = $2 where event_id = $1', [a.eventId, b.position.globalPosition]);
    await owner.query('commit');
    const report = await verifyLedger(store);
    expect(report.firstBad).toMatchObject({ kind: 'order', eventId: a.eventId, sealNumber: seal.data.sealNumber });
    expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'order', eventId: b.eventId }));
  });

  it('names the event whose stream version was swapped with the next one', async () => {
    const a = victim();
    const [b] = await store.readStream(a.streamName, { fromVersion: a.streamVersion + 1, limit: 1, raw: true });
    await owner.query('begin');
    await owner.query('update event_store.events set stream_version = -1 where event_id = $1', [a.eventId]);
    await owner.query('update event_store.events set stream_version = $2 where event_id = $1', [b.eventId, a.streamVersion]);
    await owner.query('update event_store.events set stream_version = $2 where event_id = $1', [a.eventId, b.streamVersion]);
    await owner.query('commit');
    const report = await verifyLedger(store);
    expect(report.firstBad).toMatchObject({ eventId: a.eventId, streamName: a.streamName, streamVersion: b.streamVersion });
  });

  it('reads the binary COPY pages the same in one page, in pages of 3, on workers, and from a checkpoint', async () => {
    const checkpoints: VerifyCheckpoint[] = [];
    const progress: number[] = [];
    const whole = await verifyLedger(store, { pageSize: 1000, workers: 0, onCheckpoint: (c) => checkpoints.push(c) });
    expect(whole).toMatchObject({ ok: true, findingCount: 0 });
    expect(await verifyLedger(store, { pageSize: 3, workers: 0, onProgress: (n) => progress.push(n) })).toEqual(whole);
    expect(progress.length).toBeGreaterThan(10);
    expect(await verifyLedger(store, { pageSize: 3, workers: 2 })).toEqual(whole);
    expect(checkpoints.length).toBe(whole.sealsChecked);
    const resumed = await verifyLedger(store, { pageSize: 4, resume: checkpoints[0] });
    expect(resumed).toMatchObject({ ok: true, eventsChecked: whole.eventsChecked, sealsChecked: whole.sealsChecked - 1 });
  });

  it('checks content its fast canonicaliser declines (escapes, an emoji key, a large number) the reference way', async () => {
    const odd: NewEvent = {
      ...sampleEvent('team-odd', 1),
      data: { note: 'say "xin chào"\n\ttab \\ \u0001 \u00e9 \u2028', '😀': 1, '\uFFFD': 2, 'a"b': [1.5, -0, 1e21, 2 ** 60], nested: { z: {}, a: [] } },
    };
    const [written] = (await store.append('team-odd', [odd], 'no-stream')).events;
    await untilVisible(store, written.position);
    await new LedgerSealer(store, { everyEvents: 1000, everyMs: 0 }).sealPending(true);
    await untilVisible(store, (await readSeals(store)).seals.at(-1)?.event.position as Checkpoint);
    expect(await verifyLedger(store, { pageSize: 5 })).toMatchObject({ ok: true, findingCount: 0 });
    await owner.query(`update event_store.events set data = jsonb_set(data, '{nested,z}', '{"b": 1}') where event_id = $1`, [odd.eventId]);
    expect((await verifyLedger(store, { pageSize: 5 })).firstBad).toMatchObject({ kind: 'content-digest-mismatch', eventId: odd.eventId, streamName: 'team-odd' });
  });

  it.each([
    ['update', "update event_store.events set data = '{}'"],
    ['delete', 'delete from event_store.events'],
  ])('refuses the application role to %s events', async (_label, sql) => {
    const app = new Client({ connectionString: database.appUrl });
    await app.connect();
    try {
      await expect(app.query(sql)).rejects.toMatchObject({ code: '42501', message: expect.stringContaining('permission denied') });
    } finally {
      await app.end();
    }
  });
});
