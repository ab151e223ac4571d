import { Pool } from 'pg';
import { loadPglite, type Checkpoint } from '@cdt/event-store';
import type { ProjectionEvent } from '@cdt/domain-kpi';
import { build, resolve } from '@cdt/domain-kpi/testing';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import { KpiAnswerCache } from './kpi-answer-cache';
import { loadModel2State, projectIntoModel2 } from './model2/project-into-model2';
import { SqlKpiModel2Store } from './model2/sql-kpi-model2-store';
import { loadProjectorState, projectIntoStore } from './project-into-store';
import type { KpiQueryStore } from './read-store.port';
import { pgDatabase, pgliteDatabase, readSnapshot, type SqlDatabase } from './sql-database';
import { SqlKpiReadStore } from './sql-kpi-read-store';

/** A model of either kind and how the projection writes a batch into it. */
interface Model {
  readonly store: KpiQueryStore;
  apply(events: readonly ProjectionEvent[], checkpoint: Checkpoint): Promise<void>;
}

const openModel1 = async (db: SqlDatabase): Promise<Model> => {
  const store = await SqlKpiReadStore.open(db, 'kpi_snap1');
  let state = await loadProjectorState(store);
  return { store, apply: async (events, checkpoint) => void ({ state } = await projectIntoStore(store, state, events, checkpoint, resolve)) };
};

const openModel2 = async (db: SqlDatabase): Promise<Model> => {
  const store = await SqlKpiModel2Store.open(db, 'kpi_snap2');
  let state = await loadModel2State(store);
  return { store, apply: async (events, checkpoint) => void ({ state } = await projectIntoModel2(store, events, resolve, state, checkpoint)) };
};

const at = (position: number): Checkpoint => ({ transactionId: '1', globalPosition: String(position) });
const delay = (ms: number) => new Promise<false>((resolve) => setTimeout(() => resolve(false), ms));

/** What one report reads: the nation's figures for 2024 and its provinces, each read twice (before and after a batch lands). */
const nationYear = async (store: KpiQueryStore) => {
  const [nation] = await store.figures('as-recorded', 'nation', ['VN'], '2024');
  const provinces = await store.children('as-recorded', 'nation', 'VN', 'province', '2024');
  return { visits: nation.values['household-visits'], households: nation.values['households-reached'], provinces };
};

/**
 * A batch lands while an answer is read in a snapshot: the answer is the model at the checkpoint read in
 * the snapshot, named so, computed once. On PostgreSQL the batch commits during the read (and the read's
 * statements after it still see the model before it); on PGlite (one connection) the batch waits for
 * the read to end.
 */
function answersInOneSnapshot(engine: string, open: () => Promise<{ db: SqlDatabase; cleanup: () => Promise<void> }>, batchLandsDuringRead: boolean): void {
  describe.each([
    ['model 1', openModel1],
    ['model 2', openModel2],
  ])(`%s on ${engine}`, (_name, openModel) => {
    it('answers exactly the model at the checkpoint read in the snapshot, in one computation, while a batch lands', async () => {
      const { db, cleanup } = await open();
      try {
        const { events } = build([
          { k: 'visit', team: 0, household: 1, day: 10 },
          { k: 'visit', team: 1, household: 2, day: 11 },
          { k: 'visit', team: 1, household: 3, day: 12 },
        ]);
        const model = await openModel(db);
        await model.apply(events.slice(0, -2), at(1));
        const atFirst = await nationYear(model.store);
        expect(atFirst).toMatchObject({ visits: 1, households: 1 });
        const cache = new KpiAnswerCache({ attempts: 5 });

        let computed = 0;
        let inside!: () => void;
        const entered = new Promise<void>((resolve) => (inside = resolve));
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        const asked = cache.answerAt(model.store, 'nation 2024', async (view) => {
          computed += 1;
          const before = await nationYear(view);
          inside();
          await released;
          return { before, after: await nationYear(view) };
        });
        await entered;
        const applying = model.apply(events.slice(-2), at(2));
        const landed = await (batchLandsDuringRead ? applying.then(() => true) : Promise.race([applying.then(() => true), delay(300)]));
        expect(landed).toBe(batchLandsDuringRead);
        if (batchLandsDuringRead) expect(await model.store.checkpoint()).toEqual(at(2));
        release();
        const answer = await asked;
        await applying;

        expect(answer).toEqual({ answer: { before: atFirst, after: atFirst }, at: at(1), exact: true, stale: false });
        expect(computed).toBe(1);
        // The model has moved on: the next asker gets the answer at 2, computed once more.
        const next = await cache.answerAt(model.store, 'nation 2024', async (view) => {
          computed += 1;
          return { before: await nationYear(view), after: await nationYear(view) };
        });
        expect(next.at).toEqual(at(2));
        expect(next.answer.after).toMatchObject({ visits: 3, households: 3 });
        expect(computed).toBe(2);
      } finally {
        await cleanup();
      }
    });

    it('reads the checkpoint in the snapshot, is read only, and gives the connection back after a failure', async () => {
      const { db, cleanup } = await open();
      try {
        const model = await openModel(db);
        expect(await model.store.snapshot?.(async () => 'empty')).toEqual({ result: 'empty', checkpoint: undefined });
        const { events } = build([{ k: 'visit', team: 0, household: 1, day: 10 }]);
        await model.apply(events, at(1));
        await expect(model.store.snapshot?.(async (view) => {
          await view.figures('current', 'nation', ['VN'], '2024-01');
          throw new Error('the report failed');
        })).rejects.toThrow('the report failed');
        const read = await model.store.snapshot?.((view) => view.figures('as-recorded', 'nation', ['VN'], '2024'));
        expect(read?.checkpoint).toEqual(at(1));
        expect(read?.result[0].values['household-visits']).toBe(1);
        // Every team's visits in 2024 (model 2: the team path's own transaction, nested in the snapshot), as outside it.
        const teams = { view: 'as-recorded', under: { level: 'nation', unitKey: 'VN' }, level: 'team', periods: ['2024'], indicators: ['household-visits'] } as const;
        const inSnapshot = await model.store.snapshot?.((view) => view.figuresUnder(teams));
        expect(inSnapshot?.result).toEqual(await model.store.figuresUnder(teams));
        expect(inSnapshot?.result.units.map((unit) => [unit.unitKey, unit.values[0]])).toEqual([['t1', 1]]);
        // Read only: a write through the snapshot's connection is refused by the engine.
        await expect(readSnapshot(db, (view) => view.query('create table kpi_snap_written (n int)'))).rejects.toThrow(/read-only transaction/);
        expect((await model.store.snapshot?.(async () => 'after'))?.result).toBe('after');
      } finally {
        await cleanup();
      }
    });
  });
}

describe('KPI answers in one snapshot on PGlite', () => {
  answersInOneSnapshot('PGlite', async () => {
    const db = pgliteDatabase(await loadPglite().create());
    return { db, cleanup: () => db.close() };
  }, false);
});

describeWithEngine('postgres', 'KPI answers in one snapshot on PostgreSQL', () => {
  answersInOneSnapshot('PostgreSQL', async () => {
    const database = await freshPostgresDatabase();
    const db = pgDatabase(new Pool({ connectionString: database.adminUrl, max: 4 }));
    return {
      db,
      cleanup: async () => {
        await db.close();
        await database.drop();
      },
    };
  }, true);
});
