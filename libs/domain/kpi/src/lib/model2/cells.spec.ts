import { STORED_INDICATOR_CODES } from '../figures';
import { established, ref, relocated, visit } from '../kpi.fixtures';
import { cellVector, teamCellsFromMonths } from './cells';
import { childrenOfModel2, emptyModel2, figuresOfModel2, model2Context, model2StateOf } from './in-memory-model2';
import { project2 } from './model2.fixtures';
import { projectBatchModel2 } from './projector';
import type { WideCellDelta } from './types';

const slot = (code: string) => STORED_INDICATOR_CODES.indexOf(code as (typeof STORED_INDICATOR_CODES)[number]);

describe('cellVector: a cell delta as the vector a store keeps', () => {
  it('is, for every delta the projector made, its values by STORED_INDICATOR_CODES position', () => {
    const events = [established('t1', '10001', '2024-01-01'), visit({ teamId: 't1', communeCode: '10001', occurredAt: '2024-03-02T09:00:00+07:00' }, ref(1))];
    const model = emptyModel2();
    const { deltas } = projectBatchModel2(model2StateOf(model), events, model2Context(model, (commune) => ({ communeCode: commune, districtCode: '101', provinceCode: '10' })));
    expect(deltas.cells.length).toBeGreaterThan(0);
    for (const delta of deltas.cells) {
      const vec = cellVector(delta);
      expect(vec).toHaveLength(STORED_INDICATOR_CODES.length);
      expect(Object.fromEntries(vec.flatMap((value, i) => (value === 0 ? [] : [[STORED_INDICATOR_CODES[i], value]])))).toEqual(delta.values);
    }
    expect(deltas.cells.some((delta) => cellVector(delta)[slot('household-visits')] === 1)).toBe(true);
  });

  it('is built from the values of a delta made elsewhere (a copy, a test, another writer)', () => {
    const delta: WideCellDelta = { view: 'current', level: 'commune', unitKey: '10001', periodKind: 'month', periodKey: '2024-03', placement: {}, placedOn: '2024-03-02', values: { 'household-visits': 2, 'teams-registered': -1 } };
    const vec = cellVector({ ...delta });
    expect([vec[slot('household-visits')], vec[slot('teams-registered')], vec.filter((v) => v !== 0).length]).toEqual([2, -1, 2]);
    expect(() => cellVector({ ...delta, values: { 'no-such-indicator': 1 } })).toThrow('no-such-indicator');
  });
});

describe('team × quarter and year: summed from the team month cells, placed as the latest month', () => {
  // t1 works in commune 10001 in January and February 2024, moves to 10002 on 2024-03-01 and works there in March.
  const t1 = (communeCode: string, day: string) => ({ teamId: 't1', communeCode, occurredAt: `${day}T09:00:00+07:00` });
  const events = [
    established('t1', '10001', '2024-01-01'),
    visit(t1('10001', '2024-01-10'), ref(1)),
    visit(t1('10001', '2024-02-10'), ref(2)),
    relocated('t1', { communeCode: '10001' }, { communeCode: '10002' }, '2024-03-01'),
    visit(t1('10002', '2024-03-10'), ref(3)),
    visit(t1('10002', '2024-03-11'), ref(3)),
  ];

  it('stores team cells by month only, and sums the months into one cell per team and period', () => {
    const model = project2(events, [2, 1, 2]);
    const kinds = [...model.cells.values()].filter((cell) => cell.level === 'team').map((cell) => cell.periodKind);
    expect([...new Set(kinds)]).toEqual(['month']);
    expect(kinds.filter((kind) => kind === 'month')).toHaveLength(3);
    const [quarter] = teamCellsFromMonths(model.cells.values(), 'quarter');
    expect(teamCellsFromMonths(model.cells.values(), 'year')).toHaveLength(1);
    expect(quarter).toMatchObject({ view: 'as-recorded', level: 'team', unitKey: 't1', periodKind: 'quarter', periodKey: '2024-Q1', placedOn: '2024-03-11' });
    expect([quarter.placement.commune, quarter.values['household-visits']]).toEqual(['10002', 4]);
  });

  it('answers the quarter as the sum of its months, under the commune of the latest month only (as recorded)', () => {
    const model = project2(events, [1, 3, 2]);
    const visits = (period: string) => figuresOfModel2(model, 'as-recorded', 'team', ['t1'], period)[0].values['household-visits'];
    expect([visits('2024-01'), visits('2024-02'), visits('2024-03'), visits('2024-Q1'), visits('2024')]).toEqual([1, 1, 2, 4, 4]);
    expect(figuresOfModel2(model, 'as-recorded', 'team', ['t1'], '2024-Q1')[0].values['households-reached']).toBe(3);
    const teamsIn = (commune: string, period: string) => childrenOfModel2(model, 'as-recorded', 'commune', commune, 'team', period);
    expect([teamsIn('10001', '2024-02'), teamsIn('10002', '2024-02'), teamsIn('10001', '2024-Q1'), teamsIn('10002', '2024-Q1'), teamsIn('10002', '2024')]).toEqual([['t1'], [], [], ['t1'], ['t1']]);
  });
});
