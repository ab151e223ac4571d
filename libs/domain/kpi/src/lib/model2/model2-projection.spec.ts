import { established, ref, relocated, resolve, retraction, visit } from '../kpi.fixtures';
import type { Level, View } from '../units';
import { applyModel2Deltas, childrenOfModel2, emptyModel2, figuresOfModel2, model2Context, model2StateOf, type InMemoryModel2 } from './in-memory-model2';
import { project2 } from './model2.fixtures';
import { projectBatchModel2 } from './projector';

const value = (model: InMemoryModel2, view: View, level: Level, unitKey: string, period: string, code: string): number =>
  figuresOfModel2(model, view, level, [unitKey], period)[0].values[code] ?? 0;

const t1 = { teamId: 't1', communeCode: '10001', occurredAt: '2024-03-02T09:00:00+07:00' };
const t2 = { teamId: 't2', communeCode: '20001', occurredAt: '2024-03-05T09:00:00+07:00' };
const teams = [established('t1', '10001', '2024-01-01'), established('t2', '20001', '2024-01-01')];

/** The households-reached deltas a batch writes to one materialised cell. */
const reachedDelta = (model: InMemoryModel2, events: Parameters<typeof project2>[0], cell: { view: View; level: Level; unitKey: string; periodKey: string }): number => {
  const { deltas } = projectBatchModel2(model2StateOf(model), events, model2Context(model, resolve));
  applyModel2Deltas(model, deltas);
  return deltas.cells
    .filter((d) => d.view === cell.view && d.level === cell.level && d.unitKey === cell.unitKey && d.periodKey === cell.periodKey)
    .reduce((sum, d) => sum + (d.values['households-reached'] ?? 0), 0);
};

describe('KPI model 2: distinct counts move only when a subject crosses in or out of a cell', () => {
  it('keeps a household visited twice when one visit is retracted, and drops it when both are', () => {
    const first = visit(t1, ref(1));
    const second = visit({ ...t1, occurredAt: '2024-03-20T09:00:00+07:00' }, ref(1));
    const model = project2([...teams, first, second]);
    const month = (level: Level, unitKey: string) => value(model, 'as-recorded', level, unitKey, '2024-03', 'households-reached');
    expect([month('commune', '10001'), month('village', '10001/Thôn 1'), month('team', 't1')]).toEqual([1, 1, 1]);
    expect(value(model, 'as-recorded', 'commune', '10001', '2024-03', 'household-visits')).toBe(2);

    const cell = { view: 'as-recorded' as const, level: 'commune' as const, unitKey: '10001', periodKey: '2024-03' };
    expect(reachedDelta(model, [retraction(first)], cell)).toBe(0);
    expect([month('commune', '10001'), month('village', '10001/Thôn 1'), value(model, 'current', 'province', '10', '2024', 'households-reached')]).toEqual([1, 1, 1]);
    // The day of the first visit no longer holds it; the day of the second still does.
    expect(value(model, 'as-recorded', 'commune', '10001', '2024-03-02', 'households-reached')).toBe(0);
    expect(value(model, 'as-recorded', 'commune', '10001', '2024-03-20', 'households-reached')).toBe(1);

    expect(reachedDelta(model, [retraction(second)], cell)).toBe(-1);
    expect([month('commune', '10001'), month('village', '10001/Thôn 1'), month('team', 't1'), value(model, 'current', 'nation', 'VN', '2024', 'households-reached')]).toEqual([0, 0, 0, 0]);
    expect(model.facts.size).toBe(0);
    expect([...model.footprints.keys()].filter((key) => key.startsWith('households-reached'))).toEqual([]);
  });

  it('writes a second visit to a reached household without moving the distinct count', () => {
    const model = project2([...teams, visit(t1, ref(1))]);
    const cell = { view: 'as-recorded' as const, level: 'province' as const, unitKey: '10', periodKey: '2024' };
    expect(reachedDelta(model, [visit({ ...t1, occurredAt: '2024-07-01T09:00:00+07:00' }, ref(1))], cell)).toBe(0);
    expect(value(model, 'as-recorded', 'province', '10', '2024', 'household-visits')).toBe(2);
    expect(value(model, 'as-recorded', 'province', '10', '2024-Q3', 'households-reached')).toBe(1);
  });

  it('counts a household visited by two teams in two communes once above them, and in each commune', () => {
    const byT1 = visit(t1, ref(1));
    const byT2 = visit(t2, ref(1));
    const model = project2([...teams, byT1, byT2], [1, 1, 1, 1]);
    for (const view of ['as-recorded', 'current'] as const) {
      expect([value(model, view, 'commune', '10001', '2024-03', 'households-reached'), value(model, view, 'commune', '20001', '2024-03', 'households-reached')]).toEqual([1, 1]);
      expect(value(model, view, 'nation', 'VN', '2024-03', 'households-reached')).toBe(1);
      expect(value(model, view, 'nation', 'VN', '2024-03', 'household-visits')).toBe(2);
    }
    project2([retraction(byT1)], [], model);
    expect([value(model, 'as-recorded', 'commune', '10001', '2024', 'households-reached'), value(model, 'as-recorded', 'commune', '20001', '2024', 'households-reached')]).toEqual([0, 1]);
    expect(value(model, 'current', 'nation', 'VN', '2024', 'households-reached')).toBe(1);
  });

  it('moves a distinct count with a relocated team in the current view, never as recorded', () => {
    // t1 reaches household 1 in commune 10001 (province 10); t2 reaches it too in 20001 (province 20).
    const model = project2([...teams, visit(t1, ref(1)), visit(t2, ref(1)), visit(t1, ref(2))]);
    project2([relocated('t1', { communeCode: '10001' }, { communeCode: '20001' }, '2024-06-01')], [], model);
    const reached = (view: View, level: Level, unitKey: string) => value(model, view, level, unitKey, '2024', 'households-reached');
    // Current view: t1's whole history now sits in province 20, with t2's: household 1 once, household 2.
    expect([reached('current', 'province', '10'), reached('current', 'province', '20'), reached('current', 'commune', '20001')]).toEqual([0, 2, 2]);
    expect(value(model, 'current', 'province', '20', '2024', 'household-visits')).toBe(3);
    expect(value(model, 'current', 'province', '10', '2024-03-02', 'household-visits')).toBe(0);
    expect(childrenOfModel2(model, 'current', 'commune', '20001', 'team', '2024')).toEqual(['t1', 't2']);
    // As recorded nothing moves: the visits stay where they were made.
    expect([reached('as-recorded', 'province', '10'), reached('as-recorded', 'province', '20'), reached('as-recorded', 'nation', 'VN')]).toEqual([2, 1, 2]);
    expect(value(model, 'as-recorded', 'province', '10', '2024', 'household-visits')).toBe(2);
    // The registered team moved out of 10 and into 20 on the relocation day, as recorded.
    expect([value(model, 'as-recorded', 'province', '10', '2024-05', 'teams-registered'), value(model, 'as-recorded', 'province', '10', '2024-06', 'teams-registered')]).toEqual([1, 0]);
    expect(value(model, 'as-recorded', 'province', '20', '2024-06', 'teams-registered')).toBe(2);
  });

  it('reads both years of footprints for an ISO week across New Year', () => {
    // 2024-12-30 is in 2025-W01, with 2025-01-02; one household visited on both days, in two batches.
    const model = project2([...teams, visit({ ...t1, occurredAt: '2024-12-30T09:00:00+07:00' }, ref(1))]);
    const keys: string[][] = [];
    const ctx = model2Context(model, resolve);
    const { deltas } = projectBatchModel2(model2StateOf(model), [visit({ ...t1, occurredAt: '2025-01-02T09:00:00+07:00' }, ref(1))], {
      ...ctx,
      footprintsOf: (asked) => {
        keys.push(asked.filter((k) => k.indicator === 'households-reached').map((k) => k.year).sort());
        return ctx.footprintsOf(asked);
      },
    });
    applyModel2Deltas(model, deltas);
    expect(keys).toEqual([['2024', '2025']]);
    expect(value(model, 'as-recorded', 'commune', '10001', '2025-W01', 'households-reached')).toBe(1);
    expect(value(model, 'as-recorded', 'commune', '10001', '2025-W01', 'household-visits')).toBe(2);
    expect([value(model, 'as-recorded', 'commune', '10001', '2024', 'households-reached'), value(model, 'as-recorded', 'commune', '10001', '2025', 'households-reached')]).toEqual([1, 1]);
  });

  it('starts from an empty store', () => {
    expect(figuresOfModel2(emptyModel2(), 'current', 'nation', ['VN'], '2024')).toEqual([{ unitKey: 'VN', values: {}, targets: {} }]);
  });
});
