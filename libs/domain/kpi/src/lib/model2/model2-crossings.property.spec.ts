import fc from 'fast-check';
import { PERIOD_KINDS, periodKeys } from '@cdt/domain-shared';
import { DISTINCT_CODES } from '../activity-indicators';
import { batchSizes, build, opWithDissolution, type Op } from '../kpi-log.fixtures';
import { batchesOf, resolve } from '../kpi.fixtures';
import { unitChain, type UnitChain } from '../units';
import { cellKeyString, materialisedKinds } from './cells';
import { applyModel2Deltas, emptyModel2, model2Context, model2StateOf, type InMemoryModel2 } from './in-memory-model2';
import { projectBatchModel2 } from './projector';

/**
 * The projector finds distinct-count deltas by looking only at the periods a batch can change, with
 * marks on its cell buffer. This spec recomputes them the plain way, from the whole store: every
 * subject's presence in every materialised cell before the batch and after it (ADR 0010, decision 4:
 * present when a footprint day of the period has a positive count under a (team, commune) whose chain
 * holds the cell's unit; as recorded the chain on that day, in the current view the team's chain
 * today), and checks that the batch's distinct values are exactly the differences.
 */

/** `cell key|indicator` → number of subjects present, over the whole store. */
const presence = (model: InMemoryModel2): Map<string, number> => {
  const counts = new Map<string, number>();
  const present = new Set<string>();
  for (const footprint of model.footprints.values()) {
    for (const place of footprint.places) {
      for (const [day, count] of Object.entries(place.days)) {
        if (count <= 0) continue;
        const periods = periodKeys(day);
        const where = { teamId: place.teamId, communeCode: place.communeCode, village: '' };
        const team = model.teams.get(place.teamId);
        const chains: [('as-recorded' | 'current'), UnitChain][] = [
          ['as-recorded', unitChain('as-recorded', where, day, resolve)],
          ['current', team ? unitChain('current', team, team.since, resolve) : unitChain('current', where, day, resolve)],
        ];
        for (const [view, chain] of chains) {
          for (const unit of chain) {
            for (const kind of PERIOD_KINDS) {
              if (!materialisedKinds(view, unit.level).includes(kind)) continue;
              const cell = cellKeyString({ view, level: unit.level, unitKey: unit.key, periodKind: kind, periodKey: periods[kind] }) + '|' + footprint.indicator;
              const seen = cell + '|' + footprint.subject;
              if (present.has(seen)) continue;
              present.add(seen);
              counts.set(cell, (counts.get(cell) ?? 0) + 1);
            }
          }
        }
      }
    }
  }
  return counts;
};

const nonZero = (entries: Iterable<[string, number]>): [string, number][] => [...entries].filter(([, value]) => value !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The distinct deltas of each batch, checked against the whole-store recomputation. */
const checkBatches = (ops: Op[], sizes: number[]): void => {
  const { events } = build(ops);
  const model = emptyModel2();
  for (const batch of batchesOf(events, sizes)) {
    const before = presence(model);
    const { deltas } = projectBatchModel2(model2StateOf(model), batch, model2Context(model, resolve));
    applyModel2Deltas(model, deltas);
    const after = presence(model);
    const expected = new Map<string, number>();
    for (const [cell, n] of after) expected.set(cell, n - (before.get(cell) ?? 0));
    for (const [cell, n] of before) if (!after.has(cell)) expected.set(cell, -n);
    const actual = new Map<string, number>();
    for (const delta of deltas.cells) {
      for (const [code, value] of Object.entries(delta.values)) if (DISTINCT_CODES.has(code)) actual.set(cellKeyString(delta) + '|' + code, value);
    }
    expect(nonZero(actual)).toEqual(nonZero(expected));
  }
};

/** Visits on the first 60 days: the teams (active teams) and households get dense footprints (more than SCAN_LIMIT days). */
const denseVisit: fc.Arbitrary<Op> = fc.record({ k: fc.constant('visit' as const), team: fc.nat(2), household: fc.nat(1), day: fc.nat(59) });

describe('KPI model 2 distinct-count crossings', () => {
  it('equal the change in every subject presence, recomputed from the whole store, batch after batch', () => {
    fc.assert(fc.property(fc.array(opWithDissolution, { maxLength: 60 }), batchSizes, checkBatches), { numRuns: 150 });
  });

  it('do so for subjects with dense footprints', () => {
    const ops = fc.array(fc.oneof({ weight: 4, arbitrary: denseVisit }, { weight: 1, arbitrary: opWithDissolution }), { minLength: 60, maxLength: 120 });
    fc.assert(fc.property(ops, batchSizes, checkBatches), { numRuns: 40 });
  });
});
