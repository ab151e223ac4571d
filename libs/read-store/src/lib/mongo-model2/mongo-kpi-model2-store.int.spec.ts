import fc from 'fast-check';
import { createConnection, type Connection, type mongo } from 'mongoose';
import { PERIOD_KINDS } from '@cdt/domain-shared';
import type { Checkpoint } from '@cdt/event-store';
import {
  LEVELS,
  LEVEL_RANK,
  VIEWS,
  childrenOfModel2,
  emptyModel2,
  figuresOfModel2,
  model2Context,
  model2Rows,
  projectBatchModel2,
  requirePeriodKind,
  type InMemoryModel2,
  type ProjectionEvent,
  type UnitFigures,
} from '@cdt/domain-kpi';
import { batchesOf, batchSizes, build, opWithDissolution, project2, resolve, type Op } from '@cdt/domain-kpi/testing';
import { CrashInjected, crashingAfter, describeWithEngine, freshMongoDatabase, type FreshMongoDatabase } from '@cdt/testing';
import type { KpiModel2Store } from '../model2/kpi-model2-store.port';
import { Model2Pipeline } from '../model2/model2-pipeline';
import { loadModel2State, projectIntoModel2 } from '../model2/project-into-model2';
import { InterruptedBatchError } from '../mongo/journaled-batches';
import { MongoKpiModel2Store } from './mongo-kpi-model2-store';

/**
 * The MongoDB store of KPI model 2 answers what the in-memory model 2 answers, on random logs in random
 * batch sizes, and counts a batch exactly once however a crash cut it (no transactions: journal, guard,
 * checkpoint last). mongo-java-server is slow: few runs, short logs.
 */

const checkpointAt = (position: number): Checkpoint => ({ transactionId: '1', globalPosition: String(position) });

const canonical = (figures: UnitFigures): string => JSON.stringify([figures.unitKey, Object.entries(figures.values).sort(), Object.entries(figures.targets).sort()]);

/** Feeds events[from, to) in batches of the given sizes (the rest in one last batch), one at a time or pipelined; returns the end position. */
async function feed(store: KpiModel2Store, events: readonly ProjectionEvent[], sizes: readonly number[], options: { from?: number; to?: number; pipelined?: boolean } = {}) {
  const from = options.from ?? 0;
  const pipeline = options.pipelined ? await Model2Pipeline.start(store, resolve) : undefined;
  let state = await loadModel2State(store);
  let offset = from;
  for (const batch of batchesOf(events.slice(from, options.to), sizes)) {
    offset += batch.length;
    if (pipeline) {
      await pipeline.push(batch, checkpointAt(offset));
      continue;
    }
    const next = await projectIntoModel2(store, batch, resolve, state, checkpointAt(offset));
    expect(next.applied).toBe(true);
    state = next.state;
  }
  await pipeline?.flush();
  return offset;
}

/** Figures of every unit holding a row, at every level, for every period of every kind in both views; children for three periods per kind. */
async function differences(store: KpiModel2Store, memory: InMemoryModel2, pick: number): Promise<string[]> {
  const found: string[] = [];
  for (const view of VIEWS) {
    for (const kind of PERIOD_KINDS) {
      const rows = model2Rows(memory, view, kind);
      const periods = [...new Set(rows.map((row) => row.periodKey))].sort();
      const probes = new Set([periods[0], periods[pick % periods.length], periods[periods.length - 1]]);
      for (const period of periods) {
        for (const level of LEVELS) {
          const units = [...new Set(rows.filter((row) => row.level === level).map((row) => row.unitKey))].sort();
          if (units.length === 0) continue;
          const [got, want] = [await store.figures(view, level, units, period), figuresOfModel2(memory, view, level, units, period)];
          units.forEach((unit, i) => {
            if (canonical(got[i]) !== canonical(want[i])) found.push(`figures ${view} ${level} ${unit} ${period}: ${canonical(got[i])} ≠ ${canonical(want[i])}`);
          });
          if (!probes.has(period)) continue;
          for (const unit of units) {
            for (const childLevel of LEVELS.filter((l) => LEVEL_RANK[l] < LEVEL_RANK[level])) {
              const [a, b] = [await store.children(view, level, unit, childLevel, period), childrenOfModel2(memory, view, level, unit, childLevel, period)];
              if (JSON.stringify(a) !== JSON.stringify(b)) found.push(`children ${view} ${level} ${unit} ${childLevel} ${period}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
            }
          }
        }
      }
    }
  }
  return found;
}

/** Every document of the model version, sorted: two runs that wrote the same thing compare equal, bookkeeping included. */
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
  });

  it('answers figures and children as the in-memory model 2, on random logs in random batch sizes, fed batch by batch or pipelined', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opWithDissolution, { maxLength: 60 }), batchSizes, fc.nat(), fc.boolean(), async (ops, sizes, pick, pipelined) => {
        const { events } = build(ops);
        const db = scratch();
        const store = await MongoKpiModel2Store.open(db);
        await feed(store, events, sizes, { pipelined });
        const memory = project2(events, sizes);

        expect((await differences(store, memory, pick)).slice(0, 5)).toEqual([]);
        const byId = (a: { teamId: string }, b: { teamId: string }) => (a.teamId < b.teamId ? -1 : 1);
        expect((await store.teams()).sort(byId)).toEqual([...memory.teams.values()].sort(byId));
        for (const teamId of memory.teams.keys()) {
          expect(await store.teamHistory(teamId)).toEqual(model2Context(memory, resolve).teamHistory(teamId));
        }
        await db.dropDatabase();
      }),
      {
        numRuns: 6,
        examples: [
          // Found at run 30 of 40: a team's year cell placed by a retracted fact's later day in another commune, while
          // its live fact of that year lies under the asked village (its distinct figure must take the cell's placement).
          [[{ k: 'visit', team: 1, household: 0, day: 1094 }, { k: 'retract', pick: 0 }, { k: 'relocate', team: 1, commune: 0 }, { k: 'visit', team: 1, household: 0, day: 731 }], [], 0, false],
        ],
      },
    );
  }, 600_000);

  it('opens by URL, and refuses a replayed batch and an older checkpoint, changing nothing', async () => {
    const { events } = build([
      { k: 'visit', team: 0, household: 1, day: 10 },
      { k: 'install', team: 1, citizen: 2, day: 11, app: 'vneid' },
      { k: 'relocate', team: 0, commune: 3 },
      { k: 'visit', team: 0, household: 2, day: 400 },
      { k: 'retract', pick: 0 },
    ]);
    const store = await MongoKpiModel2Store.open(database.url, { schema: 'kpi2_refused' });
    try {
      const end = await feed(store, events, [5, 2]);
      const before = await store.figures('current', 'nation', ['VN'], '2025');
      const last = events.slice(end - 2);
      const { deltas } = projectBatchModel2(await loadModel2State(store), last, model2Context(emptyModel2(), resolve));

      expect(await store.applyBatch(deltas, checkpointAt(end))).toBe(false);
      expect(await store.applyBatch(deltas, checkpointAt(end - 1))).toBe(false);
      expect((await projectIntoModel2(store, last, resolve, await loadModel2State(store), checkpointAt(end))).applied).toBe(false);
      expect(await store.checkpoint()).toEqual(checkpointAt(end));
      expect(await store.figures('current', 'nation', ['VN'], '2025')).toEqual(before);
      expect(before[0].values['households-reached']).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });

  it('answers as the in-memory model 2 for a team it has no record of, and after a move across provinces, asked unit by unit', async () => {
    // t2 moves from province 10 to 30; an unknown team t9 (its activities before any TeamEstablished) counts
    // under its own columns in the current view: a scope found through team records alone would miss it.
    const { events } = build([
      { k: 'visit', team: 1, household: 1, day: 40 },
      { k: 'install', team: 1, citizen: 1, day: 41, app: 'vneid' },
      { k: 'relocate', team: 1, commune: 3 },
      { k: 'visit', team: 1, household: 2, day: 500 },
      { k: 'visit', team: 2, household: 1, day: 501 },
    ]);
    const template = events.find((e) => e.type === 'HouseholdVisitRecorded') as ProjectionEvent;
    const unknown = (n: number, day: string): ProjectionEvent => ({
      ...template,
      eventId: `t9-${n}`,
      data: { ...(template.data as Record<string, unknown>), activityId: `t9-${n}`, teamId: 't9', householdRef: `h-t9-${n}`, occurredAt: `${day}T09:00:00+07:00` },
    });
    const log = [...events, unknown(1, '2024-02-10'), unknown(2, '2025-08-01')];
    const db = scratch();
    const store = await MongoKpiModel2Store.open(db);
    await feed(store, log, [2, 3]);
    const memory = project2(log, [2, 3]);
    for (const view of VIEWS) {
      for (const period of ['2024', '2025', '2024-02', '2025-Q3', '2025-08-01']) {
        for (const level of LEVELS) {
          const units = [...new Set(model2Rows(memory, view, requirePeriodKind(period)).filter((row) => row.level === level).map((row) => row.unitKey))].sort();
          // One unit per call: a store that answers right only when asked for everything at once fails here.
          for (const unit of units) {
            expect((await store.figures(view, level, [unit], period)).map(canonical)).toEqual(figuresOfModel2(memory, view, level, [unit], period).map(canonical));
            for (const childLevel of LEVELS.filter((l) => LEVEL_RANK[l] < LEVEL_RANK[level])) {
              expect({ view, level, unit, childLevel, period, children: await store.children(view, level, unit, childLevel, period) }).toEqual({
                view, level, unit, childLevel, period, children: childrenOfModel2(memory, view, level, unit, childLevel, period),
              });
            }
          }
        }
      }
    }
    expect((await store.figures('current', 'commune', ['10002'], '2024'))[0].values['households-reached']).toBeGreaterThan(0);
    await db.dropDatabase();
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

    const prefix = async (db: mongo.Db) => feed(await MongoKpiModel2Store.open(db), events.slice(0, CRASHED.from), [4, 3]);

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
      await feed(cleanStore, events, [], { from: CRASHED.from, to: CRASHED.to });
      const k = meter.writes;
      await feed(cleanStore, events, after, { from: CRASHED.to });
      const expected = await everything(clean);
      const memory = project2(events, [4, 3, CRASHED.to - CRASHED.from, ...after]);
      expect((await differences(cleanStore, memory, 1)).slice(0, 5)).toEqual([]);
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
          await feed(store, events, resumeAt === CRASHED.from ? [CRASHED.to - CRASHED.from, ...after] : after, { from: resumeAt });
        } else {
          // The same process retries the whole batch with the state it held.
          budget.heal();
          store = doomed;
          expect((await projectIntoModel2(store, batch, resolve, state, checkpointAt(CRASHED.to))).applied).toBe(true);
          await feed(store, events, after, { from: CRASHED.to });
        }
        expect({ i, ...(await everything(db)) }).toEqual({ i, ...expected });
        if (i === 0 || i === Math.floor(k / 2) || i === k - 1) expect({ i, differences: (await differences(store, memory, i)).slice(0, 5) }).toEqual({ i, differences: [] });
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
      await feed(store, events, after, { from: CRASHED.to });
      const memory = project2(events, [4, 3, CRASHED.to - CRASHED.from, ...after]);
      expect((await differences(store, memory, 2)).slice(0, 5)).toEqual([]);
    }, 120_000);
  });
});
