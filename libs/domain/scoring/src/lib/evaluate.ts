import { DomainError } from '@cdt/domain-shared';
import type {
  AwardTier,
  Comparison,
  CriteriaSet,
  Criterion,
  CriterionResult,
  EligibilityRule,
  Evaluation,
  EvaluationInput,
  IneligibleReason,
  Measure,
  TieBreaker,
  UnitResult,
} from './criteria-set';

/**
 * Applying a criteria set to the figures of every unit. Points are kept in whole hundredths from the
 * moment a criterion is scored, so a score is an integer sum and no input order, platform or summation
 * order can move it by a float ulp; ranks are a total order (score, tie-breakers, unit code).
 */

interface Measured {
  readonly value: number | null;
  readonly note?: string;
}

export const measureOf = (measure: Measure, input: EvaluationInput): Measured => {
  if ('indicator' in measure) return { value: input.figures[measure.indicator] ?? 0 };
  if ('ratio' in measure) {
    const { numerator, denominator, per = 1 } = measure.ratio;
    const below = input.figures[denominator] ?? 0;
    if (below === 0) return { value: null, note: `${denominator} is 0, so the ratio cannot be measured` };
    return { value: ((input.figures[numerator] ?? 0) / below) * per };
  }
  const { indicator } = measure.attainment;
  const target = input.targets[indicator];
  if (target === undefined || target <= 0) return { value: null, note: `no target for ${indicator} in the period` };
  return { value: (input.figures[indicator] ?? 0) / target };
};

export const compare = (value: number, op: Comparison, threshold: number): boolean => {
  switch (op) {
    case '>=':
      return value >= threshold;
    case '>':
      return value > threshold;
    case '<=':
      return value <= threshold;
    case '<':
      return value < threshold;
    case '==':
      return value === threshold;
    default: {
      const _exhaustive: never = op;
      return _exhaustive;
    }
  }
};

const round4 = (value: number): number => Math.round(value * 10_000) / 10_000;
const hundredths = (points: number): number => Math.round(points * 100);

/** Points of one criterion in whole hundredths (after weight), with its explanation. */
interface Scored {
  readonly result: CriterionResult;
  readonly hundredths: number;
}

const scoreCriterion = (criterion: Criterion, input: EvaluationInput): Scored => {
  const { value, note } = measureOf(criterion.measure, input);
  const weight = criterion.weight ?? 1;
  const { rule, maxPoints } = criterion;
  let normalised = 0;
  let earned = 0;
  let why = note;
  if (value !== null) {
    switch (rule.kind) {
      case 'proportional': {
        const counted = Math.min(Math.max(value, 0), rule.cap);
        normalised = counted / rule.cap;
        earned = hundredths((weight * maxPoints * counted) / rule.cap);
        if (value > rule.cap) why = `capped at ${rule.cap}`;
        break;
      }
      case 'bands': {
        let band: number | undefined;
        for (let i = rule.bands.length - 1; i >= 0 && band === undefined; i--) if (value >= rule.bands[i].from) band = i;
        const points = band === undefined ? 0 : rule.bands[band].points;
        normalised = points / maxPoints;
        earned = hundredths(weight * points);
        why = band === undefined ? `below the first band (${rule.bands[0].from})` : `band from ${rule.bands[band].from}`;
        break;
      }
      case 'condition': {
        const met = compare(value, rule.op, rule.threshold);
        normalised = met ? rule.points / maxPoints : 0;
        earned = met ? hundredths(weight * rule.points) : 0;
        why = `${met ? '' : 'not '}${rule.op} ${rule.threshold}`;
        break;
      }
      default: {
        const _exhaustive: never = rule;
        return _exhaustive;
      }
    }
  }
  const result: CriterionResult = { criterion: criterion.code, raw: value, normalised: round4(normalised), points: earned / 100 };
  return { result: why === undefined ? result : { ...result, note: why }, hundredths: earned };
};

const checkEligibility = (rules: readonly EligibilityRule[], input: EvaluationInput): IneligibleReason[] => {
  const reasons: IneligibleReason[] = [];
  for (const rule of rules) {
    const { value, note } = measureOf(rule.measure, input);
    if (value === null) reasons.push({ rule: rule.code, value, message: `${rule.title}: ${note}` });
    else if (!compare(value, rule.op, rule.threshold)) {
      reasons.push({ rule: rule.code, value, message: `${rule.title}: ${round4(value)}, required ${rule.op} ${rule.threshold}` });
    }
  }
  return reasons;
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

const tieKeysOf = (breakers: readonly TieBreaker[], criteria: readonly Criterion[], earned: readonly number[], input: EvaluationInput): (number | null)[] =>
  breakers.map((breaker) => {
    const sign = breaker.order === 'asc' ? 1 : -1;
    if ('criterion' in breaker) return sign * earned[criteria.findIndex((criterion) => criterion.code === breaker.criterion)];
    const { value } = measureOf(breaker.measure, input);
    return value === null ? null : sign * value;
  });

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
  return {
    unitCode,
    ...(unitName === undefined ? {} : { unitName }),
    parentCode,
    eligible: candidate.eligible,
    ineligibleReasons: candidate.ineligibleReasons,
    score: candidate.scoreHundredths / 100,
    breakdown: candidate.breakdown,
    rank,
    tier,
  };
};

const candidateOf = (set: CriteriaSet, input: EvaluationInput): Candidate => {
  const breakdown: CriterionResult[] = [];
  const earned: number[] = [];
  let scoreHundredths = 0;
  for (const criterion of set.criteria) {
    const scored = scoreCriterion(criterion, input);
    breakdown.push(scored.result);
    earned.push(scored.hundredths);
    scoreHundredths += scored.hundredths;
  }
  const ineligibleReasons = checkEligibility(set.eligibility, input);
  return {
    input,
    eligible: ineligibleReasons.length === 0,
    ineligibleReasons,
    scoreHundredths,
    breakdown,
    tieKeys: tieKeysOf(set.tieBreakers, set.criteria, earned, input),
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
  const groups = new Map<string, Candidate[]>();
  const seen = new Set<string>();
  for (const input of inputs) {
    if (seen.has(input.unitCode)) throw new DomainError('INVALID_VALUE', `unit ${input.unitCode} appears twice in the evaluation inputs`, 'unitCode');
    seen.add(input.unitCode);
    const group = groups.get(input.parentCode);
    const candidate = candidateOf(set, input);
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
