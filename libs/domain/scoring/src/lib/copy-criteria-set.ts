import type { AwardTier, Band, CriteriaSet, Criterion, EligibilityRule, Measure, ScoringRule, TieBreaker } from './criteria-set';

/** Copies of valid input with only the documented fields, so a set never drags along a prototype or extra data. */

const copyMeasure = (measure: Measure): Measure => {
  if ('indicator' in measure) return { indicator: measure.indicator };
  if ('ratio' in measure) {
    const { numerator, denominator, per } = measure.ratio;
    return { ratio: per === undefined ? { numerator, denominator } : { numerator, denominator, per } };
  }
  return { attainment: { indicator: measure.attainment.indicator } };
};

const copyRule = (rule: ScoringRule): ScoringRule => {
  switch (rule.kind) {
    case 'proportional':
      return { kind: 'proportional', cap: rule.cap };
    case 'bands':
      return { kind: 'bands', bands: rule.bands.map((band: Band) => ({ from: band.from, points: band.points })) };
    case 'condition':
      return { kind: 'condition', op: rule.op, threshold: rule.threshold, points: rule.points };
    default: {
      const _exhaustive: never = rule;
      return _exhaustive;
    }
  }
};

const copyCriterion = (criterion: Criterion): Criterion => ({
  code: criterion.code,
  title: criterion.title,
  ...(criterion.weight === undefined ? {} : { weight: criterion.weight }),
  maxPoints: criterion.maxPoints,
  measure: copyMeasure(criterion.measure),
  rule: copyRule(criterion.rule),
});

const copyTieBreaker = (breaker: TieBreaker): TieBreaker => {
  const order = breaker.order === undefined ? {} : { order: breaker.order };
  return 'criterion' in breaker
    ? { criterion: breaker.criterion, ...order }
    : { title: breaker.title, measure: copyMeasure(breaker.measure), ...order };
};

const copyTier = (tier: AwardTier): AwardTier => ({
  code: tier.code,
  title: tier.title,
  ...(tier.top === undefined ? {} : { top: tier.top }),
  ...(tier.minScore === undefined ? {} : { minScore: tier.minScore }),
});

export const copySet = (raw: Record<string, unknown>): CriteriaSet => {
  const valid = raw as unknown as CriteriaSet;
  return {
    code: valid.code,
    version: valid.version,
    title: valid.title,
    effectiveFrom: valid.effectiveFrom,
    level: valid.level,
    within: valid.within,
    periodKind: valid.periodKind,
    criteria: valid.criteria.map(copyCriterion),
    eligibility: valid.eligibility.map(
      (rule: EligibilityRule): EligibilityRule => ({ code: rule.code, title: rule.title, measure: copyMeasure(rule.measure), op: rule.op, threshold: rule.threshold }),
    ),
    tieBreakers: valid.tieBreakers.map(copyTieBreaker),
    awardTiers: valid.awardTiers.map(copyTier),
    ...(valid.note === undefined ? {} : { note: valid.note }),
  };
};
