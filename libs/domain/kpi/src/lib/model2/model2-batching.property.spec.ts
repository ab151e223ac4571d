import fc from 'fast-check';
import { batchSizes, build, opWithDissolution } from '../kpi-log.fixtures';
import type { InMemoryModel2 } from './in-memory-model2';
import { project2 } from './model2.fixtures';

/**
 * What a model-2 store holds after a log does not depend on how the log was cut into batches: the same
 * facts, stock facts, wide cells (values and placement), targets,
 * teams and applied ids. The stores of steps 2–3 rely on this to write each batch's deltas as they come.
 */

const sorted = <T>(entries: Iterable<[string, T]>): [string, T][] => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const snapshot = (model: InMemoryModel2) => ({
  facts: sorted(model.facts),
  stocks: model.stocks.map((s) => JSON.stringify(s)).sort(),
  cells: sorted(
    [...model.cells].map(([key, cell]): [string, unknown] => [key, { ...cell, values: Object.fromEntries(Object.entries(cell.values).filter(([, v]) => v !== 0).sort()) }]),
  ),
  targets: sorted(model.targets),
  teams: sorted(model.teams),
  applied: [...model.applied].sort(),
});

describe('KPI model 2 batching', () => {
  it('gives the same store whatever the batch sizes', () => {
    fc.assert(
      fc.property(fc.array(opWithDissolution, { maxLength: 60 }), batchSizes, (ops, sizes) => {
        const { events } = build(ops);
        expect(snapshot(project2(events, sizes))).toEqual(snapshot(project2(events)));
      }),
      { numRuns: 150 },
    );
  });
});
