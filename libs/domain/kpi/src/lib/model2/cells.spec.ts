import { STORED_INDICATOR_CODES } from '../figures';
import { established, ref, visit } from '../kpi.fixtures';
import { cellVector } from './cells';
import { emptyModel2, model2Context, model2StateOf } from './in-memory-model2';
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
