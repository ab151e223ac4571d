import fc from 'fast-check';
import { PERIOD_KINDS } from '@cdt/domain-shared';
import type { FigureRow } from '../in-memory-read-model';
import { build, batchSizes, opWithDissolution } from '../kpi-log.fixtures';
import { LEVELS, VIEWS } from '../units';
import { model2Rows } from './in-memory-model2';
import { project2 } from './model2.fixtures';
import { model2RowsOf } from './model2-rows';

/**
 * model2RowsOf at some levels, over plain arrays (as the MongoDB store passes the documents it read), gives
 * the rows the whole in-memory model holds at those levels: same values, same placements.
 */

const lines = (rows: readonly FigureRow[]): string[] =>
  rows.map((r) => JSON.stringify([r.view, r.level, r.unitKey, r.periodKind, r.periodKey, r.indicator, r.value, r.placement, r.placedOn])).sort();

describe('model2RowsOf', () => {
  it('gives, at the levels asked, the rows of the whole model', () => {
    fc.assert(
      fc.property(
        fc.array(opWithDissolution, { maxLength: 60 }),
        batchSizes,
        fc.constantFrom(...VIEWS),
        fc.constantFrom(...PERIOD_KINDS),
        fc.subarray([...LEVELS], { minLength: 1 }),
        (ops, sizes, view, kind, levels) => {
          const model = project2(build(ops).events, sizes);
          const records = { cells: [...model.cells.values()], facts: [...model.facts.values()], stocks: [...model.stocks], teams: new Map(model.teams) };
          const whole = model2Rows(model, view, kind).filter((row) => levels.includes(row.level));
          expect(lines(model2RowsOf(records, view, kind, levels))).toEqual(lines(whole));
        },
      ),
      { numRuns: 150 },
    );
  });
});
