import { DISTINCT_CODES } from '../activity-indicators';
import { established, ref, relocated, retraction, visit } from '../kpi.fixtures';
import type { ProjectionEvent } from '../projector';
import type { Level, View } from '../units';
import { childrenOfModel2, emptyModel2, figuresOfModel2, type InMemoryModel2 } from './in-memory-model2';
import { project2 } from './model2.fixtures';

const value = (model: InMemoryModel2, view: View, level: Level, unitKey: string, period: string, code: string): number =>
  figuresOfModel2(model, view, level, [unitKey], period)[0].values[code] ?? 0;

const t1 = { teamId: 't1', communeCode: '10001', occurredAt: '2024-03-02T09:00:00+07:00' };
const t2 = { teamId: 't2', communeCode: '20001', occurredAt: '2024-03-05T09:00:00+07:00' };
const t3 = { teamId: 't3', communeCode: '10002', occurredAt: '2024-03-07T09:00:00+07:00' };
const teams = [established('t1', '10001', '2024-01-01'), established('t2', '20001', '2024-01-01'), established('t3', '10002', '2024-01-01')];

/** Projects more events into the model, one batch each, and requires that no wide cell carried a distinct indicator. */
const more = (model: InMemoryModel2, events: readonly ProjectionEvent[]): void => {
  project2(events, events.map(() => 1), model);
  for (const cell of model.cells.values()) expect(Object.keys(cell.values).filter((code) => DISTINCT_CODES.has(code))).toEqual([]);
};

describe('KPI model 2: distinct counts are the distinct subjects of the live facts under a unit, counted when asked', () => {
  it('keeps a household visited twice when one visit is retracted, and drops it when both are', () => {
    const first = visit(t1, ref(1));
    const second = visit({ ...t1, occurredAt: '2024-03-20T09:00:00+07:00' }, ref(1));
    const model = emptyModel2();
    more(model, [...teams, first, second]);
    const month = (level: Level, unitKey: string) => value(model, 'as-recorded', level, unitKey, '2024-03', 'households-reached');
    expect([month('commune', '10001'), month('village', '10001/Thôn 1'), month('team', 't1'), month('district', '101'), month('province', '10')]).toEqual([1, 1, 1, 1, 1]);
    expect(value(model, 'as-recorded', 'commune', '10001', '2024-03', 'household-visits')).toBe(2);

    more(model, [retraction(first)]);
    expect([month('commune', '10001'), month('village', '10001/Thôn 1'), month('team', 't1'), value(model, 'current', 'province', '10', '2024', 'households-reached')]).toEqual([1, 1, 1, 1]);
    // The day of the first visit no longer holds it; the day of the second still does.
    expect(value(model, 'as-recorded', 'commune', '10001', '2024-03-02', 'households-reached')).toBe(0);
    expect(value(model, 'as-recorded', 'commune', '10001', '2024-03-20', 'households-reached')).toBe(1);
    expect(value(model, 'as-recorded', 'commune', '10001', '2024-03', 'household-visits')).toBe(1);

    more(model, [retraction(second)]);
    expect([month('commune', '10001'), month('village', '10001/Thôn 1'), month('team', 't1'), value(model, 'current', 'nation', 'VN', '2024', 'households-reached')]).toEqual([0, 0, 0, 0]);
    expect(model.facts.size).toBe(0);
  });

  it('does not count a second visit to a reached household again', () => {
    const model = emptyModel2();
    more(model, [...teams, visit(t1, ref(1)), visit({ ...t1, occurredAt: '2024-07-01T09:00:00+07:00' }, ref(1))]);
    expect(value(model, 'as-recorded', 'province', '10', '2024', 'household-visits')).toBe(2);
    expect(value(model, 'as-recorded', 'province', '10', '2024', 'households-reached')).toBe(1);
    expect([value(model, 'as-recorded', 'province', '10', '2024-Q1', 'households-reached'), value(model, 'as-recorded', 'province', '10', '2024-Q3', 'households-reached')]).toEqual([1, 1]);
  });

  it('counts a household visited by two teams in two communes once above them, and in each commune', () => {
    const byT1 = visit(t1, ref(1));
    const byT3 = visit(t3, ref(1));
    const byT2 = visit(t2, ref(1));
    const model = emptyModel2();
    more(model, [...teams, byT1, byT3, byT2]);
    for (const view of ['as-recorded', 'current'] as const) {
      const reached = (level: Level, unitKey: string) => value(model, view, level, unitKey, '2024-03', 'households-reached');
      expect([reached('commune', '10001'), reached('commune', '10002'), reached('commune', '20001')]).toEqual([1, 1, 1]);
      // Two communes of province 10 (district 101 as recorded), and a third province: one household.
      expect([reached('province', '10'), reached('province', '20'), reached('nation', 'VN')]).toEqual([1, 1, 1]);
      expect(value(model, view, 'nation', 'VN', '2024-03', 'household-visits')).toBe(3);
    }
    expect(value(model, 'as-recorded', 'district', '101', '2024-03', 'households-reached')).toBe(1);
    more(model, [retraction(byT1)]);
    expect([value(model, 'as-recorded', 'commune', '10001', '2024', 'households-reached'), value(model, 'as-recorded', 'commune', '10002', '2024', 'households-reached')]).toEqual([0, 1]);
    expect([value(model, 'current', 'province', '10', '2024', 'households-reached'), value(model, 'current', 'nation', 'VN', '2024', 'households-reached')]).toEqual([1, 1]);
  });

  it('moves a distinct count with a relocated team in the current view, never as recorded', () => {
    // t1 reaches household 1 in commune 10001 (province 10); t2 reaches it too in 20001 (province 20).
    const model = emptyModel2();
    more(model, [...teams.slice(0, 2), visit(t1, ref(1)), visit(t2, ref(1)), visit(t1, ref(2))]);
    more(model, [relocated('t1', { communeCode: '10001' }, { communeCode: '20001' }, '2024-06-01')]);
    const reached = (view: View, level: Level, unitKey: string) => value(model, view, level, unitKey, '2024', 'households-reached');
    // Current view: t1's whole history now sits in province 20, with t2's: household 1 once, household 2.
    expect([reached('current', 'province', '10'), reached('current', 'province', '20'), reached('current', 'commune', '20001'), reached('current', 'team', 't1')]).toEqual([0, 2, 2, 2]);
    expect(value(model, 'current', 'province', '20', '2024', 'household-visits')).toBe(3);
    expect(value(model, 'current', 'province', '10', '2024-03-02', 'household-visits')).toBe(0);
    expect(childrenOfModel2(model, 'current', 'commune', '20001', 'team', '2024')).toEqual(['t1', 't2']);
    expect(childrenOfModel2(model, 'current', 'nation', 'VN', 'province', '2024-03')).toEqual(['20']);
    // As recorded nothing moves: the visits stay where they were made.
    expect([reached('as-recorded', 'province', '10'), reached('as-recorded', 'province', '20'), reached('as-recorded', 'nation', 'VN'), reached('as-recorded', 'team', 't1')]).toEqual([2, 1, 2, 2]);
    expect(value(model, 'as-recorded', 'province', '10', '2024', 'household-visits')).toBe(2);
    // The registered team moved out of 10 and into 20 on the relocation day, as recorded.
    expect([value(model, 'as-recorded', 'province', '10', '2024-05', 'teams-registered'), value(model, 'as-recorded', 'province', '10', '2024-06', 'teams-registered')]).toEqual([1, 0]);
    expect(value(model, 'as-recorded', 'province', '20', '2024-06', 'teams-registered')).toBe(2);
  });

  it('counts a household visited on both sides of New Year once in the ISO week that holds both days', () => {
    // 2024-12-30 is in 2025-W01, with 2025-01-02; one household visited on both days, in two batches.
    const model = emptyModel2();
    more(model, [...teams, visit({ ...t1, occurredAt: '2024-12-30T09:00:00+07:00' }, ref(1))]);
    more(model, [visit({ ...t1, occurredAt: '2025-01-02T09:00:00+07:00' }, ref(1))]);
    for (const [level, unitKey] of [['team', 't1'], ['commune', '10001'], ['province', '10'], ['nation', 'VN']] as const) {
      expect(value(model, 'as-recorded', level, unitKey, '2025-W01', 'households-reached')).toBe(1);
      expect(value(model, 'current', level, unitKey, '2025-W01', 'households-reached')).toBe(1);
    }
    expect(value(model, 'as-recorded', 'commune', '10001', '2025-W01', 'household-visits')).toBe(2);
    expect([value(model, 'as-recorded', 'commune', '10001', '2024', 'households-reached'), value(model, 'as-recorded', 'commune', '10001', '2025', 'households-reached')]).toEqual([1, 1]);
  });

  it('starts from an empty store', () => {
    expect(figuresOfModel2(emptyModel2(), 'current', 'nation', ['VN'], '2024')).toEqual([{ unitKey: 'VN', values: {}, targets: {} }]);
  });
});
