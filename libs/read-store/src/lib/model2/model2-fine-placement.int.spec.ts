import { Pool } from 'pg';
import type { Checkpoint } from '@cdt/event-store';
import { loadPglite } from '@cdt/event-store';
import {
  applyModel2Deltas,
  childrenOfModel2,
  emptyModel2,
  figuresOfModel2,
  model2Context,
  model2StateOf,
  projectBatchModel2,
  type InMemoryModel2,
  type Level,
  type Model2Deltas,
  type ProjectionEvent,
  type UnitFigures,
  type UnitResolver,
  type View,
} from '@cdt/domain-kpi';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import { pgDatabase, pgliteDatabase, type SqlDatabase } from '../sql-database';
import { SqlKpiModel2Store } from './sql-kpi-model2-store';

/**
 * Who places an earlier period's fine village cell that holds a stock row (a registered team): its latest
 * contributor, which may be a fact after the stock row, in a place the stock row is not. The SQL store
 * reads only the facts that can win (model2-rows.ts, challengers); in these cases each kind of winner
 * changes an answer, so a wrong shortcut shows (the random logs of the contract did not catch one: in
 * their unit map a commune lies in one province whatever the day).
 *
 * Here commune 50001 lies in district 501 of province 50 until 2025-06-30 and in province 60 from the
 * reform (2025-07-01); a team's record takes the province of its `since`.
 * - V1, month 2025-06 (current view): tA registered there on 06-05 (province 50); tB, registered in 10001,
 *   visits in June and moves to V1 on 08-10 (province 60): the June cell sits where tB's record does.
 * - V3, week 2025-W27 (30 June – 6 July): tE registered on 06-30; tU, a team the model has no record of,
 *   visits on 07-02, placed by its own columns (province 60) in both views.
 * - V4, week 2025-W27 (as recorded): tF registered on 06-30 (district 501), visits on 07-03 (province 60,
 *   no district); in the current view its record (province 50) places both.
 * - V6: tH registered and visiting in the asked months (the period's own cells).
 */
const COMMUNE = '50001';
const resolveUnit: UnitResolver = (communeCode, on) => {
  if (communeCode === COMMUNE) return on < '2025-07-01' ? { provinceCode: '50', districtCode: '501' } : { provinceCode: '60' };
  if (communeCode === '10001') return on < '2025-07-01' ? { provinceCode: '10', districtCode: '101' } : { provinceCode: '10' };
  return undefined;
};
let ids = 0;
const event = (type: string, data: Record<string, unknown>, eventId = `e-${++ids}`): ProjectionEvent => ({ eventId, type, data });
const established = (teamId: string, communeCode: string, village: string, on: string) => event('TeamEstablished', { teamId, communeCode, village, on });
const relocated = (teamId: string, from: [string, string], to: [string, string], on: string) =>
  event('TeamRelocated', { teamId, fromCommuneCode: from[0], fromVillage: from[1], communeCode: to[0], village: to[1], reason: 'administrative-reform-2025', on });
const visit = (teamId: string, communeCode: string, village: string, day: string) => {
  const activityId = `a-${++ids}`;
  return event(
    'HouseholdVisitRecorded',
    { activityId, teamId, memberIds: ['m1'], occurredAt: `${day}T09:00:00+07:00`, communeCode, village, householdRef: `h-${activityId}`, skills: ['public-services'] },
    activityId,
  );
};

const EVENTS: ProjectionEvent[] = [
  established('tB', '10001', 'Thôn 1', '2025-02-01'),
  established('tA', COMMUNE, 'V1', '2025-06-05'),
  visit('tB', '10001', 'Thôn 1', '2025-06-15'),
  established('tE', COMMUNE, 'V3', '2025-06-30'),
  established('tF', COMMUNE, 'V4', '2025-06-30'),
  visit('tU', COMMUNE, 'V3', '2025-07-02'),
  visit('tF', COMMUNE, 'V4', '2025-07-03'),
  established('tH', COMMUNE, 'V6', '2025-08-01'),
  visit('tH', COMMUNE, 'V6', '2025-08-02'),
  relocated('tB', ['10001', 'Thôn 1'], [COMMUNE, 'V1'], '2025-08-10'),
  visit('tA', COMMUNE, 'V1', '2025-09-03'),
  visit('tH', COMMUNE, 'V6', '2025-09-04'),
  visit('tE', COMMUNE, 'V3', '2025-09-05'),
];
const checkpoint: Checkpoint = { transactionId: '1', globalPosition: String(EVENTS.length) };

const UNITS: [Level, string[]][] = [
  ['nation', ['VN']],
  ['province', ['10', '50', '60']],
  ['district', ['501']],
  ['commune', [COMMUNE, '10001']],
  ['village', ['V1', 'V3', 'V4', 'V6'].map((v) => `${COMMUNE}/${v}`)],
];
const CHILDREN: [Level, string, Level][] = [
  ['province', '50', 'village'], ['province', '60', 'village'], ['district', '501', 'village'], ['commune', COMMUNE, 'village'], ['province', '60', 'commune'], ['nation', 'VN', 'village'],
];
const PERIODS = ['2025-09', '2025-08', '2025-06', '2025-W36', '2025-W27', '2025-Q3', '2025', '2026', '2025-09-03', '2025-07-02'];
const sorted = (figures: UnitFigures[]) => figures.map((f) => ({ ...f, values: Object.fromEntries(Object.entries(f.values).sort()) }));

function finePlacementCases(open: () => Promise<{ db: SqlDatabase; cleanup: () => Promise<void> }>): void {
  let db: SqlDatabase;
  let cleanup: () => Promise<void>;
  let store: SqlKpiModel2Store;
  const memory: InMemoryModel2 = emptyModel2();

  beforeAll(async () => {
    ({ db, cleanup } = await open());
    store = await SqlKpiModel2Store.open(db, 'kpi2_fine');
    const { deltas }: { deltas: Model2Deltas } = projectBatchModel2(model2StateOf(memory), EVENTS, model2Context(memory, resolveUnit));
    applyModel2Deltas(memory, deltas);
    expect(await store.applyBatch(deltas, checkpoint)).toBe(true);
  });
  afterAll(() => cleanup());

  it.each(['current', 'as-recorded'] as View[])('answers figures and children of every unit and period as the in-memory model 2 (%s)', async (view) => {
    for (const period of PERIODS) {
      for (const [level, keys] of UNITS) {
        expect({ period, level, figures: sorted(await store.figures(view, level, keys, period)) }).toEqual({ period, level, figures: sorted(figuresOfModel2(memory, view, level, keys, period)) });
      }
      for (const [level, key, childLevel] of CHILDREN) {
        expect({ period, level, key, childLevel, children: await store.children(view, level, key, childLevel, period) }).toEqual({
          period, level, key, childLevel, children: childrenOfModel2(memory, view, level, key, childLevel, period),
        });
      }
    }
  });

  it('places each earlier village cell by its latest contributor: a later fact, a team now there since later, a team without a record', async () => {
    const registered = async (view: View, level: Level, unit: string, period: string) => (await store.figures(view, level, [unit], period))[0].values['villages-registered'];
    // Current view, September: V1 (tB's June visit, since 08-10) in 60 with V3 (tU's visit of 07-02, after tE's since);
    // V4 (tF's record) and V6 in 50.
    expect([await registered('current', 'province', '50', '2025-09'), await registered('current', 'province', '60', '2025-09')]).toEqual([2, 2]);
    // As recorded, week 36: V3 and V4 sit where their visits of W27 put them (province 60, no district); V1 in 50 by
    // tA's week, and in 60 by tB's move in August (registered after the reform), with V6.
    expect([await registered('as-recorded', 'province', '50', '2025-W36'), await registered('as-recorded', 'province', '60', '2025-W36')]).toEqual([1, 4]);
    expect(await registered('as-recorded', 'district', '501', '2025-W36')).toBe(1);
  });
}

describe('KPI model 2 SQL store, fine cell placement, on PGlite', () => {
  finePlacementCases(async () => {
    const db = pgliteDatabase(await loadPglite().create());
    return { db, cleanup: () => db.close() };
  });
});

describeWithEngine('postgres', 'KPI model 2 SQL store, fine cell placement, on PostgreSQL', () => {
  finePlacementCases(async () => {
    const database = await freshPostgresDatabase();
    const pool = new Pool({ connectionString: database.adminUrl, max: 2 });
    pool.on('error', () => undefined);
    const db = pgDatabase(pool);
    return {
      db,
      cleanup: async () => {
        await db.close();
        await database.drop();
      },
    };
  });
});
