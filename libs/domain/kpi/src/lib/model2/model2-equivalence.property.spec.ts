import fc from 'fast-check';
import { PERIOD_KINDS, type PeriodKind } from '@cdt/domain-shared';
import type { UnitFigures } from '../figures';
import { LEVEL_RANK, childrenOf, figuresOf, type InMemoryReadModel } from '../in-memory-read-model';
import { batchSizes, build, opWithDissolution } from '../kpi-log.fixtures';
import { project } from '../kpi.fixtures';
import { LEVELS, VIEWS, type Level } from '../units';
import { childrenOfModel2, figuresOfModel2, model2Rows, type InMemoryModel2 } from './in-memory-model2';
import { project2 } from './model2.fixtures';

/**
 * Model 2 (facts, footprints, wide cells) answers every query exactly as model 1 does, for every view,
 * level, unit and period key (all five kinds) that either model holds, whatever the batch sizes of each.
 * Two documented differences, both about where a unit sits when it sat in two places within a period:
 * - `childrenOf` lists a child only when it has a non-zero figure (model 1 also lists units whose rows
 *   went back to zero, e.g. after a retraction); model 1 is compared with its zero rows left out.
 * - Model 1 keeps a placement per (cell, indicator), model 2 one per cell (the latest day wins in both).
 *   They can disagree only for a cell whose unit sat in two places within its period: model 1's rows of
 *   that cell disagree (a team that relocated), or, as recorded, a team, village or commune cell of a
 *   period straddling the reform (2025, 2025-W27: districts end; model 2's fine cells do not see the
 *   days of retracted activities). A child with such a cell up to the period is left out of both
 *   children lists, and covered counts over such children are not compared; every other value is.
 */

/** Model 1 restricted to the non-zero rows of one view and period kind (its queries filter on both anyway). */
const slice = (model: InMemoryReadModel, view: string, kind: PeriodKind): InMemoryReadModel => ({
  ...model,
  counts: new Map([...model.counts].filter(([, row]) => row.value !== 0 && row.view === view && row.periodKind === kind)),
});

/** Figures as sorted JSON: the order values were found in is not part of the answer. */
const canonical = (figures: UnitFigures): string =>
  JSON.stringify([figures.unitKey, Object.entries(figures.values).sort(), Object.entries(figures.targets).sort()]);

const STRADDLING_THE_REFORM = new Set(['2025', '2025-W27']);
const COVERED = new Set(['communes-covered', 'villages-covered', 'villages-registered']);

/** `level|unit` → the period keys (of one view and kind) of its cells whose placement is not settled. */
const unsettledCells = (m1: InMemoryReadModel, view: string, kind: PeriodKind): Map<string, string[]> => {
  const placements = new Map<string, Set<string>>();
  for (const row of m1.counts.values()) {
    if (row.view !== view || row.periodKind !== kind) continue;
    const id = `${row.level}|${row.unitKey}|${row.periodKey}`;
    placements.set(id, (placements.get(id) ?? new Set()).add(JSON.stringify(row.placement)));
  }
  const unsettled = new Map<string, string[]>();
  for (const [id, seen] of placements) {
    const [level, unitKey, periodKey] = id.split('|');
    const straddles = view === 'as-recorded' && ['team', 'village', 'commune'].includes(level) && STRADDLING_THE_REFORM.has(periodKey);
    if (seen.size > 1 || straddles) unsettled.set(`${level}|${unitKey}`, [...(unsettled.get(`${level}|${unitKey}`) ?? []), periodKey]);
  }
  return unsettled;
};

export const differences = (m1: InMemoryReadModel, m2: InMemoryModel2): { found: string[]; compared: number; leftOut: number } => {
  const found: string[] = [];
  let [compared, leftOut] = [0, 0];
  for (const view of VIEWS) {
    for (const kind of PERIOD_KINDS) {
      const sliced = slice(m1, view, kind);
      const unsettled = unsettledCells(m1, view, kind);
      const rows = [...sliced.counts.values(), ...model2Rows(m2, view, kind)];
      const periods = [...new Set(rows.map((row) => row.periodKey))].sort();
      for (const level of LEVELS) {
        const units = [...new Set(rows.filter((row) => row.level === level).map((row) => row.unitKey))].sort();
        if (units.length === 0) continue;
        for (const period of periods) {
          const settled = (childLevel: Level, key: string) => !(unsettled.get(`${childLevel}|${key}`) ?? []).some((p) => p <= period);
          const coveredSettled = level === 'nation' || [...unsettled.keys()].every((id) => !/^(commune|village)\|/.test(id) || settled(id.split('|')[0] as Level, id.split('|')[1]));
          const comparable = (figures: UnitFigures): string =>
            coveredSettled ? canonical(figures) : canonical({ ...figures, values: Object.fromEntries(Object.entries(figures.values).filter(([code]) => !COVERED.has(code))) });
          if (!coveredSettled) leftOut++;
          const one = figuresOf(sliced, view, level, units, period);
          const two = figuresOfModel2(m2, view, level, units, period);
          for (let i = 0; i < units.length; i++) {
            compared++;
            if (comparable(one[i]) !== comparable(two[i])) found.push(`figuresOf ${view} ${level} ${units[i]} ${period}: ${canonical(one[i])} ≠ ${canonical(two[i])}`);
          }
          for (const unit of units) {
            for (const childLevel of LEVELS.filter((l) => LEVEL_RANK[l] < LEVEL_RANK[level])) {
              compared++;
              const [a, b] = [childrenOf(sliced, view, level, unit, childLevel, period), childrenOfModel2(m2, view, level, unit, childLevel, period)];
              const [sa, sb] = [a.filter((key) => settled(childLevel, key)), b.filter((key) => settled(childLevel, key))];
              leftOut += a.length - sa.length;
              if (JSON.stringify(sa) !== JSON.stringify(sb)) found.push(`childrenOf ${view} ${level} ${unit} ${childLevel} ${period}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
            }
          }
        }
      }
    }
  }
  return { found, compared, leftOut };
};

describe('KPI model 2 equals model 1', () => {
  const totals = { compared: 0, leftOut: 0 };
  afterAll(() => {
    // Printed, not asserted: how much of the comparison the placement caveat leaves out.
    console.log(`model 2 vs model 1: ${totals.compared} answers compared; left out for unsettled placement: ${totals.leftOut} (children, or covered counts of a unit-period)`);
  });

  it('on random logs with redeliveries, retractions, relocations, membership and dissolutions, in random batch sizes', () => {
    fc.assert(
      fc.property(fc.array(opWithDissolution, { maxLength: 60 }), batchSizes, batchSizes, (ops, sizes1, sizes2) => {
        const { events } = build(ops);
        const { found, compared, leftOut } = differences(project(events, sizes1), project2(events, sizes2));
        totals.compared += compared;
        totals.leftOut += leftOut;
        expect(found.slice(0, 5)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});
