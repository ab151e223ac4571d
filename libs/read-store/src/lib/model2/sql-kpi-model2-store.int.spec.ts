import { Pool } from 'pg';
import { loadPglite } from '@cdt/event-store';
import type { Fact, Model2Deltas, WideCellDelta } from '@cdt/domain-kpi';
import { build, resolve } from '@cdt/domain-kpi/testing';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
// The adapter's own spec runs the shared model-2 contract suite; only test code crosses this boundary.
import { kpiModel2StoreContract } from '../../contract';
import { pgDatabase, pgliteDatabase, type SqlDatabase } from '../sql-database';
import { loadModel2State, projectIntoModel2 } from './project-into-model2';
import { SqlKpiModel2Store } from './sql-kpi-model2-store';

type OpenDatabase = () => Promise<{ db: SqlDatabase; cleanup: () => Promise<void> }>;

/** A fresh PGlite database in memory. */
const openPglite: OpenDatabase = async () => {
  const db = pgliteDatabase(await loadPglite().create());
  return { db, cleanup: () => db.close() };
};

/** A fresh PostgreSQL database on the test engine, dropped by cleanup. */
const openPostgres: OpenDatabase = async () => {
  const database = await freshPostgresDatabase();
  const db = pgDatabase(new Pool({ connectionString: database.adminUrl, max: 2 }));
  return {
    db,
    cleanup: async () => {
      await db.close();
      await database.drop();
    },
  };
};

/** `work` over a fresh database of `open`, closed (and dropped) after. */
async function withDatabase(open: OpenDatabase, work: (db: SqlDatabase) => Promise<void>): Promise<void> {
  const { db, cleanup } = await open();
  try {
    await work(db);
  } finally {
    await cleanup();
  }
}

/** `cases` on PGlite, and on PostgreSQL where the engine runs. */
function onBothEngines(title: string, cases: (open: OpenDatabase, engine: 'PGlite' | 'PostgreSQL') => void): void {
  describe(`KPI model 2 SQL store on PGlite: ${title}`, () => cases(openPglite, 'PGlite'));
  describeWithEngine('postgres', `KPI model 2 SQL store on PostgreSQL: ${title}`, () => cases(openPostgres, 'PostgreSQL'));
}

/**
 * The SQL store of KPI model 2 on PGlite and PostgreSQL runs the model-2 store contract (answers of the
 * in-memory model 2 on random logs, refusals, the cases random logs found), each store in a schema of its
 * own in one database per engine. Nothing in it is SQL-only: the pipeline's overlay is the pipeline's, so
 * it is in the contract too. Called in a describe: one database for the engine, a fresh schema per store.
 */
function sqlModel2Contract(engine: string, numRuns: number, open: OpenDatabase): void {
  let db: SqlDatabase;
  let cleanup: () => Promise<void>;
  let schemas = 0;

  beforeAll(async () => ({ db, cleanup } = await open()));
  afterAll(() => cleanup());

  kpiModel2StoreContract(engine, {
    open: async () => {
      const schema = `kpi2_t${++schemas}`;
      // close() would close the shared database: a store's cleanup drops its schema instead.
      return { store: await SqlKpiModel2Store.open(db, schema), cleanup: () => db.exec(`DROP SCHEMA ${schema} CASCADE`) };
    },
    numRuns,
    maxOps: 50,
  });
}

// Each run answers ~1,000 queries through the engine: a few runs per engine, many logs across CI runs.
onBothEngines('the model-2 store contract', (open, engine) => sqlModel2Contract(engine, engine === 'PGlite' ? 8 : 4, open));

describe('KPI model 2 SQL store: facts and cells written as one text per column', () => {
  const deltas = (facts: Fact[], cells: WideCellDelta[]): Model2Deltas => ({ factsInserted: facts, factIdsDeleted: [], stockFacts: [], cells, targets: [], teams: [], appliedEventIds: [] });
  const fact = (activityId: string, village: string, subjects: Fact['subjects'], counts: string[] = ['household-visits']): Fact => ({
    activityId, teamId: 't1', communeCode: '10001', village, districtCode: '101', provinceCode: '10', day: '2024-03-02', counts, subjects,
  });
  const at = (position: number) => ({ transactionId: '1', globalPosition: String(position) });

  it('keeps values that hold the separators (applied ids too), empty values, absent places and one-row batches as they were', async () => {
    await withDatabase(openPglite, async (db) => {
      const store = await SqlKpiModel2Store.open(db);
      // A village and a subject holding the first separator pair: the store picks another pair for the batch.
      const odd = fact('a1', 'Thôn\u001e1', { 'households-reached': ['h\u001f1'], 'active-members': ['m1', 'm2'] });
      const plain = { ...fact('a2', '', {}, []), districtCode: undefined, provinceCode: undefined };
      const cell: WideCellDelta = { view: 'as-recorded', level: 'commune', unitKey: '10001', periodKind: 'month', periodKey: '2024-03', placement: { village: '10001/Thôn\u001e1', commune: '10001' }, placedOn: '2024-03-02', values: { 'household-visits': 1 } };
      expect(await store.applyBatch({ ...deltas([odd, plain], [cell]), appliedEventIds: ['e\u001e1', 'e2'] }, at(1))).toBe(true);
      expect([...(await store.appliedAmong(['e2', 'e\u001e1', 'e\u001e', '1']))].sort()).toEqual(['e\u001e1', 'e2']);
      // One fact with no counts and no subjects, alone in its batch.
      const alone = fact('a3', 'Thôn 2', {}, []);
      expect(await store.applyBatch(deltas([alone], []), at(2))).toBe(true);

      const stored = (await store.teamHistory('t1')).facts;
      const { districtCode: _d, provinceCode: _p, ...plainWithoutPlaces } = plain;
      expect(stored).toEqual([odd, plainWithoutPlaces, alone]);
      const { rows } = await db.query<{ village: string | null; district: string | null; v: string[] }>(`select village, district, v::text[] as v from kpi2_v1.cells`);
      expect(rows).toEqual([{ village: '10001/Thôn\u001e1', district: null, v: expect.arrayContaining(['1']) }]);
    });
  });
});

/**
 * The applied ids are a hash-indexed list, not a primary key (model2-schema.ts): a redelivery several batches
 * later is still skipped, on both engines (the lookup is a probe per id that PostgreSQL must plan as such).
 */
onBothEngines('applied ids', (open) => {
  it('remembers every applied event id, however many batches ago, and skips its redelivery', async () => {
    await withDatabase(open, async (db) => {
      const store = await SqlKpiModel2Store.open(db, 'kpi2_applied');
      const { events } = build([
        { k: 'visit', team: 0, household: 1, day: 10 },
        { k: 'visit', team: 0, household: 2, day: 11 },
        { k: 'visit', team: 1, household: 3, day: 12 },
        { k: 'redeliver', pick: 3 },
        { k: 'redeliver', pick: 4 },
      ]);
      let state = await loadModel2State(store);
      for (const [n, event] of events.entries()) {
        state = (await projectIntoModel2(store, [event], resolve, state, { transactionId: '1', globalPosition: String(n + 1) })).state;
      }
      const firstVisit = events[3].eventId;
      expect([...(await store.appliedAmong([firstVisit, 'never-seen', events[0].eventId]))].sort()).toEqual([events[0].eventId, firstVisit].sort());
      expect((await store.figures('as-recorded', 'nation', ['VN'], '2024'))[0].values['household-visits']).toBe(3);
    });
  });
});

/**
 * Teams without a record are noted as their facts are written (unrecorded_teams, read by the current view);
 * a schema written before that table existed gets it filled from its facts when opened.
 */
onBothEngines('teams without a record', (open) => {
  it('places an unrecorded team by its facts in the current view, also in a schema written before the table existed', async () => {
    await withDatabase(open, async (db) => {
      const { events } = build([{ k: 'visit', team: 0, household: 1, day: 10 }]);
      const template = events[events.length - 1];
      const t9 = { ...template, eventId: 't9-1', data: { ...(template.data as Record<string, unknown>), activityId: 't9-1', teamId: 't9', householdRef: 'h-t9' } };
      let store = await SqlKpiModel2Store.open(db, 'kpi2_unrecorded');
      // The teams' establishment first: a team established in the batch of its facts would be noted too (a superset).
      const registry = events.slice(0, -1);
      const { state } = await projectIntoModel2(store, registry, resolve, await loadModel2State(store), { transactionId: '1', globalPosition: '1' });
      await projectIntoModel2(store, [template, t9], resolve, state, { transactionId: '1', globalPosition: '2' });
      const visits = async () => (await store.figures('current', 'commune', ['10001'], '2024'))[0].values['household-visits'];
      const noted = async () => (await db.query<{ team_id: string }>('select team_id from kpi2_unrecorded.unrecorded_teams')).rows;
      expect([await visits(), await noted()]).toEqual([2, [{ team_id: 't9' }]]);

      await db.exec('drop table kpi2_unrecorded.unrecorded_teams');
      store = await SqlKpiModel2Store.open(db, 'kpi2_unrecorded');
      expect([await visits(), await noted()]).toEqual([2, [{ team_id: 't9' }]]);
    });
  });
});

/**
 * whenSent (the pipeline waits for it before projecting): a batch of megabytes is sent in pieces on pg and
 * the promise resolves once it has left, before or as the write ends; it also resolves when the write fails.
 */
onBothEngines('whenSent', (open, engine) => {
  it('says when the last write has been sent, for a batch of megabytes and for a write that fails', async () => {
    await withDatabase(open, async (db) => {
      const store = await SqlKpiModel2Store.open(db, 'kpi2_sent');
      const facts = Array.from({ length: 20_000 }, (_, i): Fact => ({
        activityId: `activity-${i}-${'x'.repeat(100)}`, teamId: 't1', communeCode: '10001', village: 'Thôn 1', day: '2024-03-02',
        counts: ['household-visits'], subjects: { 'households-reached': [`household-${i}-${'y'.repeat(60)}`] },
      }));
      const deltas: Model2Deltas = { factsInserted: facts, factIdsDeleted: [], stockFacts: [], cells: [], targets: [], teams: [], appliedEventIds: [] };
      let written = false;
      const applied = store.applyBatch(deltas, { transactionId: '1', globalPosition: '1' }).then((ok) => ((written = true), ok));
      const sentFirst = await Promise.race([store.whenSent().then(() => !written), applied.then(() => false)]);
      expect(await applied).toBe(true);
      await store.whenSent();
      // On PostgreSQL the write outlasts its sending; PGlite has nothing to send (resolved as the write ends).
      if (engine === 'PostgreSQL') expect(sentFirst).toBe(true);

      await db.exec('drop table kpi2_sent.facts');
      const failing = store.applyBatch(deltas, { transactionId: '1', globalPosition: '2' });
      await expect(failing).rejects.toThrow(/facts/);
      await store.whenSent();
    });
  });
});
