import { createHash } from 'node:crypto';
import type { Level, UnitFigures } from '@cdt/domain-kpi';
import {
  CURRENT_DIGEST_VERSION,
  SCORING_INDICATORS,
  evaluationDigestsOf,
  evaluationInputsDigestOf,
  isDigestVersion,
  requiredIndicators,
  requiredTargets,
  type CriteriaSet,
  type DigestVersion,
  type Evaluation,
  type EvaluationInput,
  type HashFactory,
} from '@cdt/domain-scoring';
import { parsePeriod, type PeriodKind } from '@cdt/domain-shared';
import { FLOW_CODES, STOCK_CODES, periodsBetween } from '@cdt/read-store';
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
/** A team is listed when one of these is non-zero in the period: its registry stocks, or its activity. */
const LISTING_CODES = [...STOCK_CODES, ACTIVE_FIGURE];
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
  const indicators = requiredIndicators(set);
  const targets = requiredTargets(set);
  const regularity = indicators.filter((code) => REGULARITY[code] !== undefined).map((code) => ({ code, periods: periodsBetween(REGULARITY[code], bounds.first, bounds.last) }));
  const subPeriods = [...new Set(regularity.flatMap((r) => r.periods))];
  const team = set.level === 'team';

  const parents = await parentsOf(source, units, scope);
  const read = await inParallel(parents, (parent) => readUnder(source, units, set, parent, period, subPeriods, indicators, targets));
  /** A unit under two parents (it moved, on rows of different periods) ranks under the first, in code order. */
  const parentOf = new Map<string, string>();
  const byUnit = new Map<string, UnitReading>();
  read.forEach((readings, index) => {
    for (const [unitCode, reading] of readings) {
      if (parentOf.has(unitCode)) continue;
      parentOf.set(unitCode, parents[index]);
      byUnit.set(unitCode, reading);
    }
  });
  const listed = [...parentOf.keys()].sort();
  if (!team) {
    // Coverage counts and official units' targets come from the per-unit query; a few thousand units at most.
    const figures = await figuresOf(source, set.level, listed, period);
    for (const [unitCode, unit] of figures) {
      const reading = byUnit.get(unitCode) as UnitReading;
      Object.assign(reading.values, unit.values);
      Object.assign(reading.targets, unit.targets);
    }
  }

  // Built for every unit after the last read, so on the run's critical path: no per-unit search or spread.
  const countedPeriods = new Map(regularity.map((r) => [r.code, r.periods]));
  return listed.map((unitCode): EvaluationInput => {
    const unit = byUnit.get(unitCode) as UnitReading;
    const values: Record<string, number> = {};
    for (const code of indicators) {
      if (SCORING_CODES.has(code)) {
        let count = 0;
        const activity = unit.activity;
        if (activity) for (const subPeriod of countedPeriods.get(code) ?? []) if ((activity.values[activity.at.get(subPeriod) ?? -1] ?? 0) > 0) count++;
        values[code] = count;
      } else if (code === 'communes-in-unit') {
        const count = team ? undefined : units.communesIn(set.level, unitCode);
        if (count !== undefined) values[code] = count;
      } else values[code] = figureOf(unit, code) ?? 0;
    }
    const unitTargets: Record<string, number> = {};
    for (const code of targets) {
      const target = targetOf(unit, code);
      if (target !== undefined) unitTargets[code] = target;
    }
    const unitName = team ? undefined : units.nameOf(set.level, unitCode);
    const parentCode = parentOf.get(unitCode) as string;
    return unitName === undefined ? { unitCode, parentCode, figures: values, targets: unitTargets } : { unitCode, unitName, parentCode, figures: values, targets: unitTargets };
  });
}

/**
 * What one unit's rows gave: its figures of the period (teams: its row of the bulk answer, `at` giving
 * each indicator's position; communes and provinces: a record read per unit), its `active-teams` in
 * each sub-period (its row of the sub-periods' answer, `at` giving each sub-period's cell; read where
 * counted, so no set per unit), its targets (the same two ways as its figures).
 */
interface UnitReading {
  readonly values: Record<string, number>;
  readonly row?: { readonly values: readonly number[]; readonly targets: readonly (number | null)[]; readonly at: Positions };
  activity?: { readonly values: readonly number[]; readonly at: ReadonlyMap<string, number> };
  readonly targets: Record<string, number>;
}

/** Where a code sits in a bulk answer's row of the run's period (which is the answer's only period). */
interface Positions {
  readonly figure: ReadonlyMap<string, number>;
  readonly target: ReadonlyMap<string, number>;
}

const figureOf = (unit: UnitReading, code: string): number | undefined => {
  const i = unit.row?.at.figure.get(code);
  return i === undefined ? unit.values[code] : unit.row?.values[i];
};

const targetOf = (unit: UnitReading, code: string): number | undefined => {
  const i = unit.row?.at.target.get(code);
  return i === undefined ? unit.targets[code] : (unit.row?.targets[i] ?? undefined);
};

/**
 * One parent's units and their figures, in (at most) two bulk reads. Teams: the period's flows and
 * stocks of the indicators the set reads, with their targets; a team is listed when it has a non-zero
 * figure in the period (a registered team has its stocks, a dissolved one that worked in the period
 * its `active-teams`: the same teams the unit-by-unit gathering listed). Communes and provinces: the
 * official ones plus any the read model holds (their figures, coverage counts included, are read per
 * unit afterwards). Both: `active-teams` in each sub-period the regularity indicators count.
 */
async function readUnder(
  source: FiguresSource,
  units: ScoringUnits,
  set: CriteriaSet,
  parent: string,
  period: string,
  subPeriods: readonly string[],
  indicators: readonly string[],
  targets: readonly string[],
): Promise<Map<string, UnitReading>> {
  const team = set.level === 'team';
  const under = { view: SCORING_VIEW, under: { level: set.within, unitKey: parent }, level: set.level } as const;
  const stored = [...new Set([...indicators, ...LISTING_CODES])].filter((code) => FLOW_CODES.has(code) || STOCK_CODES.has(code));
  const [main, regular, official] = await Promise.all([
    team ? source.figuresUnder({ ...under, periods: [period], indicators: stored, targets }) : undefined,
    subPeriods.length === 0 ? undefined : source.figuresUnder({ ...under, periods: subPeriods, indicators: [ACTIVE_FIGURE] }),
    team ? undefined : officialAndStored(source, units, set.within, parent, set.level, period),
  ]);
  const readings = new Map<string, UnitReading>();
  const readingOf = (unitCode: string): UnitReading => {
    let reading = readings.get(unitCode);
    if (!reading) readings.set(unitCode, (reading = { values: {}, targets: {} }));
    return reading;
  };
  for (const unitCode of official ?? []) readingOf(unitCode);
  if (main) {
    // One period asked, so a row's positions are the indicators' own.
    const at: Positions = { figure: new Map(main.indicators.map((code, i) => [code, i])), target: new Map(main.targetIndicators.map((code, i) => [code, i])) };
    for (const unit of main.units) readings.set(unit.unitKey, { values: {}, row: { values: unit.values, targets: unit.targets, at }, targets: {} });
  }
  if (regular) {
    // One indicator asked (active-teams): each sub-period's cell, once for every unit of the answer.
    const active = regular.indicators.indexOf(ACTIVE_FIGURE);
    const width = regular.indicators.length;
    const at = new Map(active < 0 ? [] : regular.periods.map((subPeriod, p) => [subPeriod, p * width + active]));
    for (const unit of regular.units) {
      const reading = readings.get(unit.unitKey);
      if (reading) reading.activity = { values: unit.values, at };
    }
  }
  return readings;
}

/** Parents are read a few at a time: enough to keep the store busy, few enough to leave it connections. */
const PARENTS_AT_ONCE = 4;

async function inParallel<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARENTS_AT_ONCE, items.length) }, worker));
  return results;
}

/** The units ranks are counted within (the set's `within` level) that lie in the run's area. */
async function parentsOf(source: FiguresSource, units: ScoringUnits, { set, area, period }: RunScope): Promise<string[]> {
  if (set.within === area.level) return [area.code];
  if (set.within === 'nation') throw new Error(`a ranking within the nation covers the nation, not ${area.level} ${area.code}`);
  if (area.level === 'commune') throw new Error(`a commune holds no ${set.within}`);
  return officialAndStored(source, units, area.level, area.code, set.within, period);
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

/** sha-256 over the inputs, by the digest definition of `version` (a run's recorded `digestVersion`). */
export const inputsDigest = (inputs: readonly EvaluationInput[], version: DigestVersion, newHash: HashFactory = sha256): string => evaluationInputsDigestOf(version, inputs, newHash);

/** Both digests of a run by the definition of `version`. */
export const runDigests = (inputs: readonly EvaluationInput[], evaluation: Evaluation, version: DigestVersion = CURRENT_DIGEST_VERSION): { digestVersion: DigestVersion; inputsDigest: string; resultsDigest: string } => ({
  digestVersion: version,
  ...evaluationDigestsOf(version, inputs, evaluation, sha256),
});

/** The digest version a recorded run names: absent = 1 (runs before ADR 0009); undefined when it is none the domain knows. */
export const recordedDigestVersion = (facts: { readonly digestVersion?: unknown }): DigestVersion | undefined => {
  const version = facts.digestVersion ?? 1;
  return isDigestVersion(version) ? version : undefined;
};
