import fc from 'fast-check';
import { figuresOf, type InMemoryReadModel } from './in-memory-read-model';
import { batchSizes, build, op } from './kpi-log.fixtures';
import { project } from './kpi.fixtures';

/**
 * Incremental processing in any batch sizes, with redeliveries, retractions and relocations, must end
 * in exactly the model one from-scratch fold produces — and that model must agree with figures
 * counted naively from the events.
 */

const STOCKS = new Set(['teams-registered', 'members-registered', 'youth-union-members']);

/** The model's content, without rows that net to zero (a row may exist at 0 in one run and not another). */
const snapshot = (model: InMemoryReadModel) => ({
  counts: [...model.counts].filter(([, row]) => row.value !== 0).sort(([a], [b]) => (a < b ? -1 : 1)),
  refs: [...model.refs].sort(([a], [b]) => (a < b ? -1 : 1)),
  targets: [...model.targets].sort(),
  teams: [...model.teams].sort(([a], [b]) => (a < b ? -1 : 1)),
  applied: [...model.applied].sort(),
});

describe('KPI projection properties', () => {
  it('incremental processing in random batch sizes equals one from-scratch fold', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), batchSizes, (ops, sizes) => {
        const { events } = build(ops);
        expect(snapshot(project(events, sizes))).toEqual(snapshot(project(events)));
      }),
      { numRuns: 150 },
    );
  });

  it('agrees with a naive count of the live visits, in both views, and never goes negative', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), batchSizes, (ops, sizes) => {
        const { events, liveVisits } = build(ops);
        const model = project(events, sizes);
        // Stock rows hold dated +1/−1 facts and may be negative; every flow and distinct count may not.
        for (const row of model.counts.values()) if (!STOCKS.has(row.indicator)) expect(row.value).toBeGreaterThanOrEqual(0);
        for (const year of ['2024', '2025', '2026']) {
          const visits = liveVisits.filter((v) => v.day.startsWith(year));
          for (const view of ['as-recorded', 'current'] as const) {
            const [nation] = figuresOf(model, view, 'nation', ['VN'], year);
            expect(nation.values['household-visits'] ?? 0).toBe(visits.length);
            expect(nation.values['households-reached'] ?? 0).toBe(new Set(visits.map((v) => v.household)).size);
          }
          // Under current units each team's history sits in one place, so the provinces add up to the nation.
          const provinces = ['10', '20', '30'].map((p) => figuresOf(model, 'current', 'province', [p], year)[0].values['household-visits'] ?? 0);
          expect(provinces.reduce((a, b) => a + b, 0)).toBe(visits.length);
        }
      }),
      { numRuns: 150 },
    );
  });
});
