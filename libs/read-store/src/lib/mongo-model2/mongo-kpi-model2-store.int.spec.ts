import { createConnection, type Connection, type mongo } from 'mongoose';
import { build, project2, resolve, type Op } from '@cdt/domain-kpi/testing';
import { CrashInjected, crashingAfter, describeWithEngine, freshMongoDatabase, type FreshMongoDatabase } from '@cdt/testing';
// The adapter's own spec runs the shared model-2 contract suite; only test code crosses this boundary.
import { kpiModel2StoreContract } from '../../contract';
import { checkpointAt, feedModel2, model2Differences, shortLog } from '../../contract/model2-store-contract.fixtures';
import type { Model2Deltas } from '@cdt/domain-kpi';
import type { KpiModel2Store } from '../model2/kpi-model2-store.port';
import { loadModel2State, projectIntoModel2 } from '../model2/project-into-model2';
import { InterruptedBatchError } from '../mongo/journaled-batches';
import { MongoKpiModel2Store } from './mongo-kpi-model2-store';

/**
 * The MongoDB store of KPI model 2 runs the model-2 store contract (answers of the in-memory model 2 on
 * random logs, refusals, the cases random logs found), and counts a batch exactly once however a crash cut
 * it (no transactions: journal, guard, checkpoint last). mongo-java-server is slow: few runs, short logs.
 */

/** Every document of the model version, sorted: two runs that wrote the same thing compare equal, bookkeeping included. */
/** The database, except that reads of `<schema>.facts` wait for `hold()` first (a completer stalled mid-batch). */
const stallingFactReads = (db: mongo.Db, hold: () => Promise<void>): mongo.Db =>
  new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'collection') return Reflect.get(target, property, receiver) as unknown;
      return (name: string) => {
        const collection = target.collection(name);
        if (!name.endsWith('.facts')) return collection;
        return new Proxy(collection, {
          get(inner, key, innerReceiver) {
            if (key !== 'find') return Reflect.get(inner, key, innerReceiver) as unknown;
            return (...args: Parameters<mongo.Collection['find']>) => {
              const cursor = inner.find(...args);
              return { toArray: async () => (await hold(), cursor.toArray()) };
            };
          },
        });
      };
    },
  });

const everything = async (db: mongo.Db): Promise<Record<string, unknown[]>> => {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((name) => name.startsWith('kpi2_v1.')).sort();
  const all: Record<string, unknown[]> = {};
  for (const name of names) all[name] = (await db.collection(name).find({}).toArray()).sort((a, b) => (String(a._id) < String(b._id) ? -1 : 1));
  return all;
};

describeWithEngine('mongo', 'KPI model 2 on MongoDB', () => {
  let database: FreshMongoDatabase;
  let connection: Connection;
  let scratches = 0;
  /** A database of its own on the shared connection (collections are per model version, so one per store). */
  const scratch = (): mongo.Db => {
    const db = connection.useDb(`${database.dbName}_${++scratches}`).db;
    if (!db) throw new Error('no scratch database');
    return db;
  };

  beforeAll(async () => {
    database = await freshMongoDatabase();
    connection = await createConnection(database.url, { maxPoolSize: 4 }).asPromise();
  });
  afterAll(async () => {
    for (let i = 1; i <= scratches; i++) await connection.useDb(`${database.dbName}_${i}`).dropDatabase();
    await connection.close();
    await database.drop();
  });

  kpiModel2StoreContract('MongoDB', {
    open: async () => {
      const db = scratch();
      const store = await MongoKpiModel2Store.open(db);
      return {
        store,
        cleanup: async () => {
          await store.close();
          await db.dropDatabase();
        },
      };
    },
    numRuns: 6,
    maxOps: 60,
  });

  it('opens by URL with a schema of its own, and holds what it was fed when opened again', async () => {
    const { events } = shortLog();
    const memory = project2(events, [5, 2]);
    const first = await MongoKpiModel2Store.open(database.url, { schema: 'kpi2_by_url' });
    let end: number;
    try {
      end = await feedModel2(first, events, [5, 2]);
      expect((await model2Differences(first, memory, 0)).slice(0, 5)).toEqual([]);
    } finally {
      await first.close();
    }
    const again = await MongoKpiModel2Store.open(database.url, { schema: 'kpi2_by_url' });
    try {
      expect(await again.checkpoint()).toEqual(checkpointAt(end));
      expect((await model2Differences(again, memory, 1)).slice(0, 5)).toEqual([]);
      expect((await again.figures('current', 'nation', ['VN'], '2025'))[0].values['households-reached']).toBeGreaterThan(0);
    } finally {
      await again.close();
    }
  });

  /**
   * Why a retraction leaves a tombstone, and why a later batch cannot simply purge it (ADR 0010, "MongoDB:
   * why tombstones stay"): a completer of batch 1 that read its journal while batch 1 was pending, then stalled,
   * still issues batch 1's writes after others committed batch 1, retracted its fact in batch 2 and went on
   * to batch 3. Its insert of that fact meets the tombstone and is refused; were the tombstone deleted, the
   * insert would find no document and bring the retracted fact back.
   */
  it('a completer stalled in an older batch cannot bring back a fact a later batch retracted', async () => {
    const OPS: Op[] = [
      { k: 'visit', team: 0, household: 1, day: 10 },
      { k: 'visit', team: 1, household: 2, day: 11 },
      // ── batch 2 ──
      { k: 'retract', pick: 0 },
      // ── batch 3 ──
      { k: 'visit', team: 1, household: 3, day: 12 },
    ];
    const { events } = build(OPS);
    const ends = [2, 3, 4].map((n) => build(OPS.slice(0, n)).events.length);
    const sizes = [ends[0], ends[1] - ends[0], ends[2] - ends[1]];
    expect(events.slice(ends[0], ends[1]).map((e) => e.type)).toEqual(['ActivityRetracted']);
    const db = scratch();

    // Batch 1 journaled and marked pending (delete old journal, insert it, mark), then the writer dies.
    const { db: crashing } = crashingAfter(db, 3);
    const doomed = await MongoKpiModel2Store.open(crashing);
    await expect(projectIntoModel2(doomed, events.slice(0, ends[0]), resolve, await loadModel2State(doomed), checkpointAt(ends[0]))).rejects.toBeInstanceOf(CrashInjected);
    const [{ activityId, teamId }] = (await db.collection('kpi2_v1.journal').find({}).toArray()).map((doc) => (JSON.parse(String(doc.text)) as Model2Deltas).factsInserted[0]);

    // A process opens the store and starts completing batch 1 from its journal; its first read of facts stalls.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let stalled!: () => void;
    const reached = new Promise<void>((resolve) => (stalled = resolve));
    const stale = MongoKpiModel2Store.open(stallingFactReads(db, () => (stalled(), gate)));
    await reached;

    // Meanwhile another opens it, completes batch 1, and writes batches 2 (the retraction) and 3.
    const live = await MongoKpiModel2Store.open(db);
    expect(await feedModel2(live, events, sizes.slice(1), { from: ends[0] })).toBe(ends[2]);

    // The stalled completer goes on with batch 1's writes; its commit (filtered on batch 1 pending) is a no-op.
    release();
    await (await stale).close();
    expect(await live.checkpoint()).toEqual(checkpointAt(ends[2]));
    expect((await db.collection('kpi2_v1.facts').findOne({ _id: activityId as never }))?.fact).toBeNull();
    expect((await model2Differences(live, project2(events, sizes), 0)).slice(0, 5)).toEqual([]);
    expect((await live.teamHistory(teamId)).facts.map((fact) => fact.activityId)).not.toContain(activityId);
  }, 120_000);

  describe('a batch cut after any of its writes, then replayed, counts exactly once', () => {
    /**
     * The crashed batch retracts a fact of an earlier batch and puts a fact of the same
     * household again, relocates a team (stock facts of both halves, its history read), changes members,
     * sets a target and redelivers an event: every collection is written.
     */
    const OPS: Op[] = [
      { k: 'visit', team: 0, household: 1, day: 10 },
      { k: 'visit', team: 1, household: 2, day: 11 },
      { k: 'install', team: 2, citizen: 1, day: 12, app: 'vneid' },
      { k: 'join', team: 0, member: 1, youth: true },
      // ── the crashed batch ──
      { k: 'retract', pick: 0 },
      { k: 'visit', team: 0, household: 1, day: 13 },
      { k: 'relocate', team: 0, commune: 3 },
      { k: 'visit', team: 0, household: 3, day: 560 },
      { k: 'target', value: 7 },
      { k: 'redeliver', pick: 1 },
      { k: 'join', team: 1, member: 2, youth: false },
      // ── after it ──
      { k: 'visit', team: 1, household: 2, day: 561 },
      { k: 'retract', pick: 3 },
    ];
    const { events } = build(OPS);
    const CRASHED = { from: build(OPS.slice(0, 4)).events.length, to: build(OPS.slice(0, 11)).events.length };
    const after = [1, events.length - CRASHED.to - 1];

    const prefix = async (db: mongo.Db) => feedModel2(await MongoKpiModel2Store.open(db), events.slice(0, CRASHED.from), [4, 3]);

    it('the log is cut as the test means: the crashed batch in the middle, events after it', () => {
      expect([CRASHED.from, CRASHED.to - CRASHED.from, events.length - CRASHED.to]).toEqual([7, 7, 2]);
      expect(events.slice(CRASHED.from, CRASHED.to).map((e) => e.type)).toEqual(
        expect.arrayContaining(['ActivityRetracted', 'HouseholdVisitRecorded', 'TeamRelocated', 'TargetAssigned', 'TeamEstablished', 'MemberJoined']),
      );
    });

    it('after write i of k, for every i: the store, replayed from its checkpoint or retried in process, equals an uninterrupted run', async () => {
      // The uninterrupted run, counting the batch's writes.
      const clean = scratch();
      await prefix(clean);
      const { db: counted, meter } = crashingAfter(clean, Number.MAX_SAFE_INTEGER);
      const cleanStore = await MongoKpiModel2Store.open(counted);
      await feedModel2(cleanStore, events, [], { from: CRASHED.from, to: CRASHED.to });
      const k = meter.writes;
      await feedModel2(cleanStore, events, after, { from: CRASHED.to });
      const expected = await everything(clean);
      const memory = project2(events, [4, 3, CRASHED.to - CRASHED.from, ...after]);
      expect((await model2Differences(cleanStore, memory, 1)).slice(0, 5)).toEqual([]);
      // journal (2) + pending mark + at least one write to each model collection + commit.
      expect(k).toBeGreaterThan(10);

      const started = Date.now();
      for (let i = 0; i < k; i++) {
        const db = scratch();
        const state = await prefix(db).then(async () => loadModel2State(await MongoKpiModel2Store.open(db)));
        const { db: crashing, meter: budget } = crashingAfter(db, i);
        const doomed = await MongoKpiModel2Store.open(crashing);
        const batch = events.slice(CRASHED.from, CRASHED.to);
        await expect(projectIntoModel2(doomed, batch, resolve, state, checkpointAt(CRASHED.to))).rejects.toBeInstanceOf(CrashInjected);

        let store: KpiModel2Store;
        if (i % 2 === 0) {
          // A restart: open() completes a journaled batch; the runner resumes from the checkpoint it finds.
          store = await MongoKpiModel2Store.open(db);
          const resumeAt = Number((await store.checkpoint())?.globalPosition);
          expect([CRASHED.from, CRASHED.to]).toContain(resumeAt);
          await feedModel2(store, events, resumeAt === CRASHED.from ? [CRASHED.to - CRASHED.from, ...after] : after, { from: resumeAt });
        } else {
          // The same process retries the whole batch with the state it held.
          budget.heal();
          store = doomed;
          expect((await projectIntoModel2(store, batch, resolve, state, checkpointAt(CRASHED.to))).applied).toBe(true);
          await feedModel2(store, events, after, { from: CRASHED.to });
        }
        expect({ i, ...(await everything(db)) }).toEqual({ i, ...expected });
        if (i === 0 || i === Math.floor(k / 2) || i === k - 1) expect({ i, differences: (await model2Differences(store, memory, i)).slice(0, 5) }).toEqual({ i, differences: [] });
        await db.dropDatabase();
      }
      // Printed so a slow engine shows where the time goes.
      process.stdout.write(`crash matrix: ${k} crash points in ${Date.now() - started} ms\n`);
    }, 600_000);

    it('a longer batch after an interruption: the interrupted one is completed, the longer one refused (InterruptedBatchError)', async () => {
      const db = scratch();
      await prefix(db);
      const state = await loadModel2State(await MongoKpiModel2Store.open(db));
      const { db: crashing, meter } = crashingAfter(db, 12);
      const store = await MongoKpiModel2Store.open(crashing);
      await expect(projectIntoModel2(store, events.slice(CRASHED.from, CRASHED.to), resolve, state, checkpointAt(CRASHED.to))).rejects.toBeInstanceOf(CrashInjected);
      meter.heal();
      await expect(projectIntoModel2(store, events.slice(CRASHED.from), resolve, state, checkpointAt(events.length))).rejects.toBeInstanceOf(InterruptedBatchError);
      expect(await store.checkpoint()).toEqual(checkpointAt(CRASHED.to));
      await feedModel2(store, events, after, { from: CRASHED.to });
      const memory = project2(events, [4, 3, CRASHED.to - CRASHED.from, ...after]);
      expect((await model2Differences(store, memory, 2)).slice(0, 5)).toEqual([]);
    }, 120_000);
  });
});
