import { DomainError } from '@cdt/domain-shared';
import type {
  AwardTier,
  CriteriaSet,
  Criterion,
  CriterionResult,
  EligibilityRule,
  Evaluation,
  EvaluationInput,
  IneligibleReason,
  TieBreaker,
  UnitResult,
} from './criteria-set';
import { compare, compileMeasure } from './measures';

/**
 * Applying a criteria set to the figures of every unit. Points are kept in whole hundredths from the
 * moment a criterion is scored, so a score is an integer sum and no input order, platform or summation
 * order can move it by a float ulp; ranks are a total order (score, tie-breakers, unit code).
 */

const round4 = (value: number): number => Math.round(value * 10_000) / 10_000;
const hundredths = (points: number): number => Math.round(points * 100);

/**
 * A criterion compiled once per run: `score` appends the unit's breakdown line and returns its points
 * in whole hundredths (after weight). Every sentence a line can carry is built here, once.
 */
interface CompiledCriterion {
  readonly score: (input: EvaluationInput, breakdown: CriterionResult[]) => number;
}

const line = (criterion: string, raw: number | null, normalised: number, earned: number, note: string): CriterionResult =>
  note === '' ? { criterion, raw, normalised, points: earned / 100 } : { criterion, raw, normalised, points: earned / 100, note };

const compileCriterion = (criterion: Criterion): CompiledCriterion => {
  const { code, rule, maxPoints } = criterion;
  const weight = criterion.weight ?? 1;
  const measure = compileMeasure(criterion.measure);
  const unmeasured = (breakdown: CriterionResult[]): number => {
    breakdown.push(line(code, null, 0, 0, measure.whyNot));
    return 0;
  };
  switch (rule.kind) {
    case 'proportional': {
      const { cap } = rule;
      const capped = `capped at ${cap}`;
      return {
        score: (input, breakdown) => {
          const value = measure.read(input);
          if (value === null) return unmeasured(breakdown);
          const counted = Math.min(Math.max(value, 0), cap);
          const earned = hundredths((weight * maxPoints * counted) / cap);
          breakdown.push(line(code, value, round4(counted / cap), earned, value > cap ? capped : ''));
          return earned;
        },
      };
    }
    case 'bands': {
      const bands = rule.bands.map((band) => ({ from: band.from, earned: hundredths(weight * band.points), normalised: round4(band.points / maxPoints), note: `band from ${band.from}` }));
      const below = `below the first band (${bands[0].from})`;
      return {
        score: (input, breakdown) => {
          const value = measure.read(input);
          if (value === null) return unmeasured(breakdown);
          for (let i = bands.length - 1; i >= 0; i--) {
            const band = bands[i];
            if (value >= band.from) {
              breakdown.push(line(code, value, band.normalised, band.earned, band.note));
              return band.earned;
            }
          }
          breakdown.push(line(code, value, 0, 0, below));
          return 0;
        },
      };
    }
    case 'condition': {
      const { op, threshold } = rule;
      const earned = hundredths(weight * rule.points);
      const normalised = round4(rule.points / maxPoints);
      const met = `${op} ${threshold}`;
      const notMet = `not ${op} ${threshold}`;
      return {
        score: (input, breakdown) => {
          const value = measure.read(input);
          if (value === null) return unmeasured(breakdown);
          const holds = compare(value, op, threshold);
          breakdown.push(line(code, value, holds ? normalised : 0, holds ? earned : 0, holds ? met : notMet));
          return holds ? earned : 0;
        },
      };
    }
    default: {
      const _exhaustive: never = rule;
      return _exhaustive;
    }
  }
};

interface CompiledRule {
  readonly check: (input: EvaluationInput, reasons: IneligibleReason[]) => void;
}

const compileRule = (rule: EligibilityRule): CompiledRule => {
  const measure = compileMeasure(rule.measure);
  const { code, title, op, threshold } = rule;
  const unmeasured = `${title}: ${measure.whyNot}`;
  return {
    check: (input, reasons) => {
      const value = measure.read(input);
      if (value === null) reasons.push({ rule: code, value, message: unmeasured });
      else if (!compare(value, op, threshold)) reasons.push({ rule: code, value, message: `${title}: ${round4(value)}, required ${op} ${threshold}` });
    },
  };
};

/** One unit while ranking: its scored result and the sort keys, computed once. */
interface Candidate {
  readonly input: EvaluationInput;
  readonly eligible: boolean;
  readonly ineligibleReasons: IneligibleReason[];
  readonly scoreHundredths: number;
  readonly breakdown: CriterionResult[];
  /** One key per tie-breaker, already signed so that smaller sorts first; null sorts last. */
  readonly tieKeys: (number | null)[];
}

/** One key per tie-breaker, signed so that smaller sorts first; null (not measurable) sorts last. */
type TieKey = (input: EvaluationInput, earned: readonly number[]) => number | null;

const compileTieBreaker = (breaker: TieBreaker, criteria: readonly Criterion[]): TieKey => {
  const sign = breaker.order === 'asc' ? 1 : -1;
  if ('criterion' in breaker) {
    const index = criteria.findIndex((criterion) => criterion.code === breaker.criterion);
    return (_input, earned) => sign * earned[index];
  }
  const measure = compileMeasure(breaker.measure);
  return (input) => {
    const value = measure.read(input);
    return value === null ? null : sign * value;
  };
};

const byRank = (a: Candidate, b: Candidate): number => {
  if (a.scoreHundredths !== b.scoreHundredths) return b.scoreHundredths - a.scoreHundredths;
  for (let i = 0; i < a.tieKeys.length; i++) {
    const x = a.tieKeys[i];
    const y = b.tieKeys[i];
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    return x - y;
  }
  return a.input.unitCode < b.input.unitCode ? -1 : a.input.unitCode > b.input.unitCode ? 1 : 0;
};

const byUnitCode = (a: Candidate, b: Candidate): number => (a.input.unitCode < b.input.unitCode ? -1 : a.input.unitCode > b.input.unitCode ? 1 : 0);

const tierOf = (tiers: readonly AwardTier[], rank: number, scoreHundredths: number): string | null => {
  for (const tier of tiers) {
    if (tier.top !== undefined && rank > tier.top) continue;
    if (tier.minScore !== undefined && scoreHundredths < hundredths(tier.minScore)) continue;
    return tier.code;
  }
  return null;
};

const resultOf = (candidate: Candidate, rank: number | null, tier: string | null): UnitResult => {
  const { unitCode, unitName, parentCode } = candidate.input;
  const { eligible, ineligibleReasons, breakdown } = candidate;
  const score = candidate.scoreHundredths / 100;
  // Two literals rather than a spread of an optional field: one shape each, no temporary object per unit.
  return unitName === undefined
    ? { unitCode, parentCode, eligible, ineligibleReasons, score, breakdown, rank, tier }
    : { unitCode, unitName, parentCode, eligible, ineligibleReasons, score, breakdown, rank, tier };
};

interface Plan {
  readonly criteria: readonly CompiledCriterion[];
  readonly eligibility: readonly CompiledRule[];
  readonly tieKeys: readonly TieKey[];
}

const planOf = (set: CriteriaSet): Plan => ({
  criteria: set.criteria.map(compileCriterion),
  eligibility: set.eligibility.map(compileRule),
  tieKeys: set.tieBreakers.map((breaker) => compileTieBreaker(breaker, set.criteria)),
});

const candidateOf = (plan: Plan, input: EvaluationInput): Candidate => {
  const breakdown: CriterionResult[] = [];
  const earned: number[] = [];
  let scoreHundredths = 0;
  for (const criterion of plan.criteria) {
    const points = criterion.score(input, breakdown);
    earned.push(points);
    scoreHundredths += points;
  }
  const ineligibleReasons: IneligibleReason[] = [];
  for (const rule of plan.eligibility) rule.check(input, ineligibleReasons);
  return {
    input,
    eligible: ineligibleReasons.length === 0,
    ineligibleReasons,
    scoreHundredths,
    breakdown,
    tieKeys: plan.tieKeys.map((key) => key(input, earned)),
  };
};

/** The most points a unit can get under a set: Σ weight × maxPoints. */
export const maxScoreOf = (set: CriteriaSet): number =>
  set.criteria.reduce((sum, criterion) => sum + hundredths((criterion.weight ?? 1) * criterion.maxPoints), 0) / 100;

/**
 * Scores, explains, ranks and awards every unit. Ranks and tiers are counted within each `parentCode`;
 * an ineligible unit keeps its score and breakdown (so it can see what it earned) but gets no rank and no
 * tier. The same set and inputs give the same Evaluation whatever the order of the inputs.
 */
export const evaluate = (set: CriteriaSet, inputs: readonly EvaluationInput[]): Evaluation => {
  const plan = planOf(set);
  const groups = new Map<string, Candidate[]>();
  const seen = new Set<string>();
  for (const input of inputs) {
    if (seen.has(input.unitCode)) throw new DomainError('INVALID_VALUE', `unit ${input.unitCode} appears twice in the evaluation inputs`, 'unitCode');
    seen.add(input.unitCode);
    const group = groups.get(input.parentCode);
    const candidate = candidateOf(plan, input);
    if (group === undefined) groups.set(input.parentCode, [candidate]);
    else group.push(candidate);
  }
  const results: UnitResult[] = [];
  for (const parentCode of [...groups.keys()].sort()) {
    const group = groups.get(parentCode) ?? [];
    const ranked = group.filter((candidate) => candidate.eligible).sort(byRank);
    ranked.forEach((candidate, index) => results.push(resultOf(candidate, index + 1, tierOf(set.awardTiers, index + 1, candidate.scoreHundredths))));
    for (const candidate of group.filter((c) => !c.eligible).sort(byUnitCode)) results.push(resultOf(candidate, null, null));
  }
  return { criteriaCode: set.code, criteriaVersion: set.version, maxScore: maxScoreOf(set), results };
};
