import { CrashInjected, crashingAfter, describeWithEngine, freshMongoDatabase, type FreshMongoDatabase } from '@cdt/testing';
import { applyDeltas, emptyReadModel, figuresOf, projectBatch, projectorStateOf, contributionsOf, type ProjectionEvent, type ProjectorState } from '@cdt/domain-kpi';
import { createConnection, type Connection, type mongo } from 'mongoose';
import { kpiReadStoreContract } from '../contract';
import { PERIODS, PROBES, resolve, scenario } from '../contract/read-store-contract.fixtures';
import { batchPosition } from './mongo/batch-position';
import { writeGuarded } from './mongo/guarded-writes';
import { kpiCollections } from './mongo/mongo-documents';
import { InterruptedBatchError } from './mongo/journaled-batches';
import { MongoKpiReadStore } from './mongo/mongo-kpi-read-store';
import { openKpiReadStore } from './open-kpi-read-store';
import { loadProjectorState, projectIntoStore } from './project-into-store';
import type { KpiReadStore } from './read-store.port';

describeWithEngine('mongo', 'KPI read store on MongoDB', () => {
  kpiReadStoreContract('MongoDB', async () => {
    const database = await freshMongoDatabase();
    const store = await openKpiReadStore({ kind: 'mongo', url: database.url, poolSize: 4 });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await database.drop();
      },
    };
  });

  /** The log position of the event at `index` (1-based positions, one transaction). */
  const at = (position: number) => ({ transactionId: '100', globalPosition: String(position) });
  const EVENTS = scenario();
  /** The batch the crash tests interrupt: it holds the relocation, so it reads and moves contributions. */
  const CRASHED = { from: 10, to: 22 };

  /** Feeds events[from, to) in batches of `size`, each checkpointed at the position of its last event. */
  const feed = async (store: KpiReadStore, from: number, to: number, size: number, state?: ProjectorState): Promise<ProjectorState> => {
    let current = state ?? (await loadProjectorState(store));
    for (let i = from; i < to; i += size) {
      const end = Math.min(i + size, to);
      ({ state: current } = await projectIntoStore(store, current, EVENTS.slice(i, end), at(end), resolve));
    }
    return current;
  };

  const oracleFigures = (events: readonly ProjectionEvent[]) => {
    const model = emptyReadModel();
    const { deltas } = projectBatch(projectorStateOf(model), events, { resolve, isApplied: () => false, contributionsOf: (t) => contributionsOf(model, t) });
    applyDeltas(model, deltas);
    return model;
  };

  /** Everything a reader or the projector can observe, without the bookkeeping of which batch wrote what. */
  const observable = async (db: mongo.Db) => {
    const c = kpiCollections(db, 'kpi_v1');
    const sorted = <T extends { _id: string }>(docs: T[]) => docs.sort((a, b) => (a._id < b._id ? -1 : 1));
    return {
      figures: sorted(await c.figures.find({}, { projection: { appliedUpTo: 0, lastDelta: 0, created: 0 } }).toArray()),
      refs: sorted(await c.refs.find({}, { projection: { appliedUpTo: 0, lastDelta: 0, created: 0 } }).toArray()),
      targets: sorted(await c.targets.find({}, { projection: { appliedUpTo: 0 } }).toArray()),
      teams: sorted(await c.teams.find({}, { projection: { record: 1 } }).toArray()),
      applied: (await c.applied.find({}).toArray()).map((d) => d._id).sort(),
      checkpoint: await c.checkpoint.findOne({}, { projection: { transactionId: 1, globalPosition: 1, pending: 1 } }),
    };
  };

  const expectFiguresOfOracle = async (store: KpiReadStore) => {
    const model = oracleFigures(EVENTS);
    for (const view of ['as-recorded', 'current'] as const) {
      for (const { level, keys } of PROBES) {
        for (const period of PERIODS) {
          expect({ view, level, period, figures: await store.figures(view, level, keys, period) }).toEqual({ view, level, period, figures: figuresOf(model, view, level, keys, period) });
        }
      }
    }
  };

  describe('without transactions: per-document high-water marks and a batch journal', () => {
    let database: FreshMongoDatabase;
    let connection: Connection;
    let db: mongo.Db;
    beforeEach(async () => {
      database = await freshMongoDatabase();
      connection = await createConnection(database.url, { maxPoolSize: 4 }).asPromise();
      if (!connection.db) throw new Error('no database on the connection');
      db = connection.db;
    });
    afterEach(async () => {
      await connection.close();
      await database.drop();
    });

    it('replaying a batch, even past the checkpoint guard, changes nothing', async () => {
      const store = await MongoKpiReadStore.open(db);
      const state = await feed(store, 0, CRASHED.from, 5);
      const { deltas } = projectBatch(state, EVENTS.slice(CRASHED.from, CRASHED.to), {
        resolve,
        isApplied: () => false,
        contributionsOf: () => ({ counts: [], refs: [] }),
      });
      expect(await store.applyBatch(deltas, at(CRASHED.to))).toBe(true);
      const once = await observable(db);
      // Through the port: refused by the checkpoint.
      expect(await store.applyBatch(deltas, at(CRASHED.to))).toBe(false);
      // Below the port: every guarded write sees its document already at this batch's end.
      await writeGuarded(kpiCollections(db, 'kpi_v1'), deltas, batchPosition(at(CRASHED.to)));
      expect(await observable(db)).toEqual(once);
      // Without the guard the same writes would count twice: the replay above was not a no-op by accident.
      await writeGuarded(kpiCollections(db, 'kpi_v1'), deltas, batchPosition(at(CRASHED.to + 1)));
      expect(await observable(db)).not.toEqual(once);
    });

    /** A clean run with the same batches, and how many writes the interrupted batch makes. */
    const cleanRun = async () => {
      const store = await MongoKpiReadStore.open(db);
      const state = await feed(store, 0, CRASHED.from, CRASHED.from);
      const { db: metered, meter } = crashingAfter(db, Number.MAX_SAFE_INTEGER);
      const counted = await MongoKpiReadStore.open(metered);
      await feed(counted, CRASHED.from, CRASHED.to, CRASHED.to - CRASHED.from, state);
      const writesOfBatch = meter.writes;
      await feed(counted, CRASHED.to, EVENTS.length, 4);
      return { expected: await observable(db), writesOfBatch };
    };

    it('the clean run the crash tests compare with holds the reference figures', async () => {
      await cleanRun();
      await expectFiguresOfOracle(await MongoKpiReadStore.open(db));
    });

    it('completes an interrupted batch before another one, and refuses one that may overlap it', async () => {
      const state = await feed(await MongoKpiReadStore.open(db), 0, CRASHED.from, CRASHED.from);
      const { db: crashing, meter } = crashingAfter(db, 50);
      const store = await MongoKpiReadStore.open(crashing);
      await expect(projectIntoStore(store, state, EVENTS.slice(CRASHED.from, CRASHED.to), at(CRASHED.to), resolve)).rejects.toBeInstanceOf(CrashInjected);
      meter.heal();
      // The runner re-read a longer batch from the old checkpoint: its deltas include the interrupted ones.
      await expect(projectIntoStore(store, state, EVENTS.slice(CRASHED.from), at(EVENTS.length), resolve)).rejects.toBeInstanceOf(InterruptedBatchError);
      expect(await store.checkpoint()).toEqual(at(CRASHED.to));
      await feed(store, CRASHED.to, EVENTS.length, 4);
      const clean = await freshMongoDatabase();
      const cleanConnection = await createConnection(clean.url, { maxPoolSize: 2 }).asPromise();
      try {
        if (!cleanConnection.db) throw new Error('no database on the connection');
        const cleanStore = await MongoKpiReadStore.open(cleanConnection.db);
        await feed(cleanStore, 0, CRASHED.from, CRASHED.from);
        await feed(cleanStore, CRASHED.from, CRASHED.to, CRASHED.to - CRASHED.from);
        await feed(cleanStore, CRASHED.to, EVENTS.length, 4);
        expect(await observable(db)).toEqual(await observable(cleanConnection.db));
      } finally {
        await cleanConnection.close();
        await clean.drop();
      }
    });

    it('an interrupted batch completed by two processes at once still counts exactly once', async () => {
      const { expected, writesOfBatch } = await cleanRun();
      // Nothing of the batch written yet but its journal and pending mark; or half of it written.
      for (const crashAfter of [3, Math.floor(writesOfBatch / 2)]) {
        const scratch = connection.useDb(`${database.dbName}_kpi_race_${crashAfter}`).db;
        if (!scratch) throw new Error('no scratch database');
        try {
          const state = await feed(await MongoKpiReadStore.open(scratch), 0, CRASHED.from, CRASHED.from);
          const { db: crashing } = crashingAfter(scratch, crashAfter);
          await expect(projectIntoStore(await MongoKpiReadStore.open(crashing), state, EVENTS.slice(CRASHED.from, CRASHED.to), at(CRASHED.to), resolve)).rejects.toBeInstanceOf(CrashInjected);
          // Two processes open the model at the same moment: each completes the pending batch from its journal.
          const [first] = await Promise.all([MongoKpiReadStore.open(scratch), MongoKpiReadStore.open(scratch)]);
          expect(await first.checkpoint()).toEqual(at(CRASHED.to));
          await feed(first, CRASHED.to, EVENTS.length, 4);
          const got = await observable(scratch);
          expect({ crashAfter, ...got }).toEqual({ crashAfter, ...expected });
        } finally {
          await scratch.dropDatabase();
        }
      }
    }, 300_000);

    const recoveries = ['retry in process', 'restart, redeliver the same batch', 'restart, resume from the checkpoint in other batches'] as const;
    it.each(recoveries)('a batch interrupted after any number of writes, then recovered (%s), counts exactly once', async (recovery) => {
      const { expected, writesOfBatch } = await cleanRun();
      // Crash points: nothing written; the journal written but not marked pending; marked pending; a third
      // and two thirds into the model writes (bulk writes cut in the middle); everything but the commit.
      const points = [0, 2, 3, Math.floor(writesOfBatch / 3), Math.floor((2 * writesOfBatch) / 3), writesOfBatch - 1];
      expect(writesOfBatch).toBeGreaterThan(100);
      for (const crashAfter of points) {
        {
          const name = `kpi_crash_${crashAfter}_${recoveries.indexOf(recovery)}`;
          const scratch = connection.useDb(`${database.dbName}_${name}`).db;
          if (!scratch) throw new Error('no scratch database');
          try {
            const state = await feed(await MongoKpiReadStore.open(scratch), 0, CRASHED.from, CRASHED.from);
            const { db: crashing, meter } = crashingAfter(scratch, crashAfter);
            const doomed = await MongoKpiReadStore.open(crashing);
            const batch = EVENTS.slice(CRASHED.from, CRASHED.to);
            await expect(projectIntoStore(doomed, state, batch, at(CRASHED.to), resolve)).rejects.toBeInstanceOf(CrashInjected);

            if (recovery === 'retry in process') {
              // The same store object once the database answers again, with the state the runner held.
              meter.heal();
              const retried = await projectIntoStore(doomed, state, batch, at(CRASHED.to), resolve);
              expect({ crashAfter, applied: retried.applied }).toEqual({ crashAfter, applied: true });
              await feed(doomed, CRASHED.to, EVENTS.length, 4, retried.state);
            } else if (recovery === 'restart, redeliver the same batch') {
              const restarted = await MongoKpiReadStore.open(scratch);
              await feed(restarted, CRASHED.from, CRASHED.to, CRASHED.to - CRASHED.from);
              await feed(restarted, CRASHED.to, EVENTS.length, 4);
            } else {
              const restarted = await MongoKpiReadStore.open(scratch);
              const resumeAt = Number((await restarted.checkpoint())?.globalPosition);
              expect([CRASHED.from, CRASHED.to]).toContain(resumeAt);
              await feed(restarted, resumeAt, EVENTS.length, 3);
            }
            const got = await observable(scratch);
            expect({ crashAfter, recovery, ...got }).toEqual({ crashAfter, recovery, ...expected });
          } finally {
            await scratch.dropDatabase();
          }
        }
      }
    }, 600_000);
  });
});
