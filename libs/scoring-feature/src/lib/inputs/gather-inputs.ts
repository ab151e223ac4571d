import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Level, UnitFigures } from '@cdt/domain-kpi';
import { SCORING_INDICATORS, requiredIndicators, requiredTargets, type CriteriaSet, type EvaluationInput, type HashFactory } from '@cdt/domain-scoring';
import { parsePeriod, type PeriodKind } from '@cdt/domain-shared';
import { periodsBetween } from '@cdt/read-store';
import type { RunArea } from '../ledger/scoring-events';
import type { FiguresSource } from './figures-source';
import type { OfficialLevel, ScoringUnits } from './scoring-units';

/** Rankings compare units on today's map, with each team's whole history where it is now (the KPI `current` view). */
export const SCORING_VIEW = 'current' as const;

export const sha256: HashFactory = () => createHash('sha256');

export interface RunScope {
  readonly set: CriteriaSet;
  readonly area: RunArea;
  readonly period: string;
}

const FIGURES_PER_QUERY = 2_000;

/** Which sub-period kind each regularity indicator counts, and the KPI figure that says "active". */
const REGULARITY: Readonly<Record<string, PeriodKind>> = { 'active-days': 'day', 'active-weeks': 'week', 'active-months': 'month' };
const ACTIVE_FIGURE = 'active-teams';
const SCORING_CODES = new Set<string>(SCORING_INDICATORS.map((indicator) => indicator.code));

/**
 * What a run reads, for every unit of the set's level inside the area, from a FiguresSource: the KPI
 * figures and targets the set names (registry stocks such as members-registered and
 * youth-union-members come from the same read model, so one watermark covers them), the regularity
 * indicators counted over the period's days / ISO weeks / months, and the official commune count.
 * The live run and `cdt ranking verify` both call this, over the read store and over the model folded
 * from the log, so any difference between the two is in the figures, never in the gathering.
 */
export async function gatherInputs(source: FiguresSource, units: ScoringUnits, scope: RunScope): Promise<EvaluationInput[]> {
  const { set, period } = scope;
  const bounds = parsePeriod(period);
  if (!bounds) throw new Error(`${period} is not a period key`);
  const parents = await parentsOf(source, units, scope);
  const parentOf = new Map<string, string>();
  for (const parent of parents) {
    for (const unitCode of await unitsUnder(source, units, set, parent, period)) if (!parentOf.has(unitCode)) parentOf.set(unitCode, parent);
  }
  const unitCodes = [...parentOf.keys()].sort();
  const figures = await figuresOf(source, set.level, unitCodes, period);
  const listed = set.level === 'team' ? unitCodes.filter((code) => Object.keys(figures.get(code)?.values ?? {}).length > 0) : unitCodes;

  const indicators = requiredIndicators(set);
  const targets = requiredTargets(set);
  const regular = new Map<string, Map<string, number>>();
  for (const code of indicators.filter((c) => REGULARITY[c] !== undefined)) {
    regular.set(code, await activeSubPeriods(source, set.level, listed, periodsBetween(REGULARITY[code], bounds.first, bounds.last)));
  }
  return listed.map((unitCode): EvaluationInput => {
    const unit = figures.get(unitCode) ?? { unitKey: unitCode, values: {}, targets: {} };
    const values: Record<string, number> = {};
    for (const code of indicators) {
      if (SCORING_CODES.has(code)) values[code] = regular.get(code)?.get(unitCode) ?? 0;
      else if (code === 'communes-in-unit') {
        const count = set.level === 'team' ? undefined : units.communesIn(set.level, unitCode);
        if (count !== undefined) values[code] = count;
      } else values[code] = unit.values[code] ?? 0;
    }
    const unitTargets: Record<string, number> = {};
    for (const code of targets) if (unit.targets[code] !== undefined) unitTargets[code] = unit.targets[code];
    const unitName = set.level === 'team' ? undefined : units.nameOf(set.level, unitCode);
    return { unitCode, ...(unitName === undefined ? {} : { unitName }), parentCode: parentOf.get(unitCode) as string, figures: values, targets: unitTargets };
  });
}

/** The units ranks are counted within (the set's `within` level) that lie in the run's area. */
async function parentsOf(source: FiguresSource, units: ScoringUnits, { set, area, period }: RunScope): Promise<string[]> {
  if (set.within === area.level) return [area.code];
  if (set.within === 'nation') throw new Error(`a ranking within the nation covers the nation, not ${area.level} ${area.code}`);
  if (area.level === 'commune') throw new Error(`a commune holds no ${set.within}`);
  return officialAndStored(source, units, area.level, area.code, set.within, period);
}

async function unitsUnder(source: FiguresSource, units: ScoringUnits, set: CriteriaSet, parent: string, period: string): Promise<string[]> {
  if (set.level === 'team') return source.children(SCORING_VIEW, set.within, parent, 'team', period);
  return officialAndStored(source, units, set.within, parent, set.level, period);
}

/** Official children (a unit with no activity still ranks, at 0) and any the read model holds besides. */
async function officialAndStored(source: FiguresSource, units: ScoringUnits, level: OfficialLevel, code: string, childLevel: 'province' | 'commune', period: string): Promise<string[]> {
  const official = units.officialChildren(level, code, childLevel);
  const stored = await source.children(SCORING_VIEW, level, code, childLevel, period);
  return [...new Set([...official, ...stored])].sort();
}

async function figuresOf(source: FiguresSource, level: Level, unitCodes: readonly string[], period: string): Promise<Map<string, UnitFigures>> {
  const byUnit = new Map<string, UnitFigures>();
  for (let start = 0; start < unitCodes.length; start += FIGURES_PER_QUERY) {
    for (const figures of await source.figures(SCORING_VIEW, level, unitCodes.slice(start, start + FIGURES_PER_QUERY), period)) byUnit.set(figures.unitKey, figures);
  }
  return byUnit;
}

/** Per unit: in how many of the sub-periods it had at least one active team (recorded an activity). */
async function activeSubPeriods(source: FiguresSource, level: Level, unitCodes: readonly string[], subPeriods: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const subPeriod of subPeriods) {
    for (const [unitCode, figures] of await figuresOf(source, level, unitCodes, subPeriod)) {
      if ((figures.values[ACTIVE_FIGURE] ?? 0) > 0) counts.set(unitCode, (counts.get(unitCode) ?? 0) + 1);
    }
  }
  return counts;
}

/** sha-256 over the inputs in unit-code order, each as RFC 8785 canonical JSON on its own line. */
export function inputsDigest(inputs: readonly EvaluationInput[], newHash: HashFactory = sha256): string {
  const hash = newHash();
  for (const input of [...inputs].sort((a, b) => (a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : 0))) {
    hash.update(`${canonicalize(input) ?? ''}\n`);
  }
  return hash.digest('hex');
}
