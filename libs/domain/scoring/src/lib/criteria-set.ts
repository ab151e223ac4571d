/**
 * A criteria set (bộ tiêu chí đánh giá) as data: the ministry publishes it, the scoring service applies
 * it to the KPI figures of every unit of a level, and anyone can re-apply it to the same figures and get
 * the same ranking. The format is documented in docs/scoring/criteria-format.md; `validateCriteriaSet`
 * is the authority on it.
 */

/** Who is ranked. */
export const SCORED_LEVELS = ['team', 'commune', 'province'] as const;
export type ScoredLevel = (typeof SCORED_LEVELS)[number];

/** Among whom: ranks and award tiers are counted inside each unit of this level. */
export const RANKING_SCOPES = ['commune', 'province', 'nation'] as const;
export type RankingScope = (typeof RANKING_SCOPES)[number];

/** The pairs a set may name: a team within its commune, province or the nation; a commune within its
 * province or the nation; a province within the nation. */
export const ALLOWED_SCOPES: Readonly<Record<ScoredLevel, readonly RankingScope[]>> = {
  team: ['commune', 'province', 'nation'],
  commune: ['province', 'nation'],
  province: ['nation'],
};

export const SCORING_PERIOD_KINDS = ['month', 'quarter', 'year'] as const;
export type ScoringPeriodKind = (typeof SCORING_PERIOD_KINDS)[number];

export const COMPARISONS = ['>=', '>', '<=', '<', '=='] as const;
export type Comparison = (typeof COMPARISONS)[number];

/**
 * What a criterion looks at, in the unit's figures for the period (indicator codes of the KPI catalog,
 * plus the scoring-only indicators of `SCORING_INDICATORS`):
 * - `indicator`: the figure itself;
 * - `ratio`: numerator / denominator × `per` (per member: per 1; per 1,000 households: per 1000);
 * - `attainment`: the figure / the unit's target for it (1 = 100 %).
 */
export type Measure =
  | { readonly indicator: string }
  | { readonly ratio: { readonly numerator: string; readonly denominator: string; readonly per?: number } }
  | { readonly attainment: { readonly indicator: string } };

/**
 * How a measured value becomes points (0 … maxPoints):
 * - `proportional`: points = min(value, cap) / cap × maxPoints. With cap = 1 on a ratio or an attainment
 *   this is the customary "Điểm = Tỷ lệ × Điểm tối đa" with the ratio capped at 100 %.
 * - `bands`: the points of the highest band whose `from` the value reaches (bands ascending), else 0.
 * - `condition`: `points` when `value op threshold`, else 0.
 */
export type ScoringRule =
  | { readonly kind: 'proportional'; readonly cap: number }
  | { readonly kind: 'bands'; readonly bands: readonly Band[] }
  | { readonly kind: 'condition'; readonly op: Comparison; readonly threshold: number; readonly points: number };

export interface Band {
  readonly from: number;
  readonly points: number;
}

export interface Criterion {
  readonly code: string;
  readonly title: string;
  /** Multiplies the criterion's points in the total; 1 when absent. */
  readonly weight?: number;
  readonly maxPoints: number;
  readonly measure: Measure;
  readonly rule: ScoringRule;
}

/** A unit is ranked only when every rule holds (at least 4 members, active in the period…). */
export interface EligibilityRule {
  readonly code: string;
  readonly title: string;
  readonly measure: Measure;
  readonly op: Comparison;
  readonly threshold: number;
}

/**
 * Breaks equal scores, in order: the points of a criterion, or a measured value. `desc` (the default)
 * puts the larger value first. After every tie-breaker, the unit code ascending is the last key, so a
 * ranking is always a total order.
 */
export type TieBreaker =
  | { readonly criterion: string; readonly order?: 'desc' | 'asc' }
  | { readonly title: string; readonly measure: Measure; readonly order?: 'desc' | 'asc' };

/**
 * An award tier (hạng khen thưởng): granted to eligible units ranked at most `top` within their scope
 * and/or scoring at least `minScore`; when both are given both must hold. Tiers are tried in the order
 * listed and a unit gets the first it qualifies for, so list the highest tier first.
 */
export interface AwardTier {
  readonly code: string;
  readonly title: string;
  readonly top?: number;
  readonly minScore?: number;
}

export interface CriteriaSet {
  /** Stable across versions (`cdt-team-province-quarter`); a new version of the same code supersedes. */
  readonly code: string;
  /** 1, 2, 3 … */
  readonly version: number;
  readonly title: string;
  /** Vietnam calendar date `YYYY-MM-DD` from which this version applies. */
  readonly effectiveFrom: string;
  readonly level: ScoredLevel;
  readonly within: RankingScope;
  readonly periodKind: ScoringPeriodKind;
  readonly criteria: readonly Criterion[];
  readonly eligibility: readonly EligibilityRule[];
  readonly tieBreakers: readonly TieBreaker[];
  readonly awardTiers: readonly AwardTier[];
  readonly note?: string;
}

/**
 * Indicators only scoring needs, which the KPI catalog does not keep as one figure: how regular a unit's
 * work was in the period. The scoring feature derives them from the per-day/week/month rows of the read
 * model (a day, week or month counts when the unit has at least one recorded activity in it).
 */
export const SCORING_INDICATORS = [
  { code: 'active-days', nameVi: 'Số ngày có hoạt động trong kỳ', nameEn: 'Days of the period with at least one activity' },
  { code: 'active-weeks', nameVi: 'Số tuần có hoạt động trong kỳ', nameEn: 'ISO weeks of the period with at least one activity' },
  { code: 'active-months', nameVi: 'Số tháng có hoạt động trong kỳ', nameEn: 'Months of the period with at least one activity' },
] as const;
export type ScoringIndicatorCode = (typeof SCORING_INDICATORS)[number]['code'];

/** What the feature gathers for one unit before evaluation. */
export interface EvaluationInput {
  readonly unitCode: string;
  readonly unitName?: string;
  /** The code of the unit it is ranked within (its commune, its province, or `VN` for the nation). */
  readonly parentCode: string;
  /**
   * The unit's figures for the period by indicator code: KPI catalog codes (counts, distinct counts,
   * stocks at the end of the period such as `members-registered` and `youth-union-members`) and the
   * `SCORING_INDICATORS`. A code missing here counts as 0. `requiredIndicators(set)` lists what a set reads.
   */
  readonly figures: Readonly<Record<string, number>>;
  /** The unit's targets for the period by indicator code; `requiredTargets(set)` lists what a set reads. */
  readonly targets: Readonly<Record<string, number>>;
}

/** Why a unit is not ranked: the rule, the value it had, and a sentence for people. */
export interface IneligibleReason {
  readonly rule: string;
  readonly value: number | null;
  readonly message: string;
}

export interface CriterionResult {
  readonly criterion: string;
  /** The measured value; null when it cannot be measured (no target, denominator 0). */
  readonly raw: number | null;
  /** Points / maxPoints, 0 … 1, rounded to 4 decimals. */
  readonly normalised: number;
  /** Points after weight, 2 decimals (computed in whole hundredths). */
  readonly points: number;
  /** Why the points are what they are when it is not obvious (capped, no target, denominator 0). */
  readonly note?: string;
}

export interface UnitResult {
  readonly unitCode: string;
  readonly unitName?: string;
  readonly parentCode: string;
  readonly eligible: boolean;
  readonly ineligibleReasons: readonly IneligibleReason[];
  /** Sum of the criteria points, 2 decimals (summed in whole hundredths, so order cannot change it). */
  readonly score: number;
  readonly breakdown: readonly CriterionResult[];
  /** 1-based within `parentCode`; null when not eligible. */
  readonly rank: number | null;
  /** The award tier code, or null. */
  readonly tier: string | null;
}

export interface Evaluation {
  readonly criteriaCode: string;
  readonly criteriaVersion: number;
  /** The most points a unit can get under the set (Σ weight × maxPoints). */
  readonly maxScore: number;
  /** Ordered by parentCode, then rank (ineligible last, by unitCode). */
  readonly results: readonly UnitResult[];
}

/** One problem of a criteria set: where (a JSON path), which criterion (or rule / tier), what is wrong. */
export interface CriteriaProblem {
  readonly path: string;
  readonly criterion?: string;
  readonly message: string;
}

export type CriteriaValidation =
  | { readonly ok: true; readonly set: CriteriaSet }
  | { readonly ok: false; readonly problems: readonly CriteriaProblem[] };

/**
 * The domain has no crypto (no node: imports): the caller passes a sha-256 factory, in Node
 * `() => createHash('sha256')`. Text is fed as UTF-8 in pieces (version 1 digests, checksums), bytes
 * as they are (version 2 digests), so a 75,000-unit digest never builds one huge string. The hash must
 * have taken the bytes when `update` returns: the caller reuses its buffer.
 */
export interface IncrementalHash {
  update(data: string | Uint8Array): unknown;
  digest(encoding: 'hex'): string;
}
export type HashFactory = () => IncrementalHash;
