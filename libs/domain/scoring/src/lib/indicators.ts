import { EXTERNAL_DENOMINATORS, indicatorByCode } from '@cdt/domain-kpi';
import { SCORING_INDICATORS, type CriteriaSet, type Measure } from './criteria-set';

/**
 * Which indicator codes a criteria set may read. KPI catalog indicators of kind `ratio` are not figures
 * (the read model keeps their numerator and denominator), so a set writes them as a `ratio` measure;
 * `communes-in-unit` comes from the official unit lists and the feature supplies it like a figure.
 */
const SCORING_CODES: ReadonlySet<string> = new Set(SCORING_INDICATORS.map((indicator) => indicator.code));
const EXTERNAL_CODES: ReadonlySet<string> = new Set(EXTERNAL_DENOMINATORS);

export type IndicatorCheck = { readonly ok: true } | { readonly ok: false; readonly message: string };

export const checkFigureCode = (code: string): IndicatorCheck => {
  if (SCORING_CODES.has(code) || EXTERNAL_CODES.has(code)) return { ok: true };
  const indicator = indicatorByCode(code);
  if (indicator === undefined) return { ok: false, message: `unknown indicator "${code}" (not in the KPI catalog nor in SCORING_INDICATORS)` };
  if (indicator.definition.kind === 'ratio') {
    const { numerator, denominator } = indicator.definition;
    return {
      ok: false,
      message: `"${code}" is a ratio in the KPI catalog, not a figure: write {"ratio": {"numerator": "${numerator}", "denominator": "${denominator}"}}`,
    };
  }
  return { ok: true };
};

/** Every figure a measure reads, and the target it reads if any. */
export const measureFigures = (measure: Measure): { figures: string[]; target?: string } => {
  if ('indicator' in measure) return { figures: [measure.indicator] };
  if ('ratio' in measure) return { figures: [measure.ratio.numerator, measure.ratio.denominator] };
  return { figures: [measure.attainment.indicator], target: measure.attainment.indicator };
};

const measuresOf = (set: CriteriaSet): Measure[] => [
  ...set.criteria.map((criterion) => criterion.measure),
  ...set.eligibility.map((rule) => rule.measure),
  ...set.tieBreakers.flatMap((breaker) => ('measure' in breaker ? [breaker.measure] : [])),
];

/** The indicator codes a set reads from `EvaluationInput.figures`, sorted: what the feature must gather. */
export const requiredIndicators = (set: CriteriaSet): string[] =>
  [...new Set(measuresOf(set).flatMap((measure) => measureFigures(measure).figures))].sort();

/** The indicator codes a set reads from `EvaluationInput.targets`, sorted. */
export const requiredTargets = (set: CriteriaSet): string[] =>
  [...new Set(measuresOf(set).flatMap((measure) => measureFigures(measure).target ?? []))].sort();
