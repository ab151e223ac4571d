import { isCalendarDate } from '@cdt/domain-shared';
import {
  ALLOWED_SCOPES,
  COMPARISONS,
  RANKING_SCOPES,
  SCORED_LEVELS,
  SCORING_PERIOD_KINDS,
  type CriteriaProblem,
  type CriteriaValidation,
  type Measure,
} from './criteria-set';
import { copySet } from './copy-criteria-set';
import { checkFigureCode } from './indicators';

/**
 * The authority on the criteria-set format (docs/scoring/criteria-format.md). Hand-written rather than a
 * JSON Schema so that every problem says which criterion is wrong and why in words a ministry editor
 * understands; unknown fields are problems too, so a typo ("weigth") never silently means "absent".
 * All problems are collected, not just the first.
 */

type Json = Record<string, unknown>;

const CODE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const ORDERS = ['desc', 'asc'] as const;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;
const describe = (value: unknown): string => (value === undefined ? 'missing' : JSON.stringify(value) ?? String(value));

class Problems {
  readonly list: CriteriaProblem[] = [];

  add(path: string, message: string, criterion?: string): void {
    this.list.push(criterion === undefined ? { path, message } : { path, criterion, message });
  }

  /** Reports fields the format does not know. */
  onlyKnownKeys(value: Json, known: readonly string[], path: string, criterion?: string): void {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) this.add(`${path}.${key}`, `unknown field "${key}" (allowed: ${known.join(', ')})`, criterion);
    }
  }

  code(value: unknown, path: string, criterion?: string): value is string {
    if (typeof value === 'string' && CODE.test(value)) return true;
    this.add(path, `must be a code of lower-case letters, digits, ".", "_" or "-" (at most 64), got ${describe(value)}`, criterion);
    return false;
  }

  text(value: unknown, path: string, criterion?: string): value is string {
    if (isNonEmptyString(value)) return true;
    this.add(path, `must be a non-empty text, got ${describe(value)}`, criterion);
    return false;
  }

  positive(value: unknown, path: string, criterion?: string): value is number {
    if (isFiniteNumber(value) && value > 0) return true;
    this.add(path, `must be a number greater than 0, got ${describe(value)}`, criterion);
    return false;
  }

  finite(value: unknown, path: string, criterion?: string): value is number {
    if (isFiniteNumber(value)) return true;
    this.add(path, `must be a number, got ${describe(value)}`, criterion);
    return false;
  }

  oneOf<T extends string>(allowed: readonly T[], value: unknown, path: string, criterion?: string): value is T {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return true;
    this.add(path, `must be one of ${allowed.join(', ')}, got ${describe(value)}`, criterion);
    return false;
  }

  array(value: unknown, path: string): value is unknown[] {
    if (Array.isArray(value)) return true;
    this.add(path, `must be a list, got ${describe(value)}`);
    return false;
  }

  /** A code that must not repeat within its list. */
  unique(codes: Map<string, number>, code: string, index: number, path: string, what: string): void {
    const first = codes.get(code);
    if (first === undefined) codes.set(code, index);
    else this.add(path, `duplicate ${what} code "${code}" (also at index ${first})`, code);
  }
}

/** The label a problem carries for an item: its code when it has a usable one, else its position. */
const labelOf = (item: unknown, index: number): string =>
  isObject(item) && typeof item['code'] === 'string' && item['code'].length > 0 ? item['code'] : `#${index}`;

const checkIndicator = (problems: Problems, value: unknown, path: string, label: string): void => {
  if (typeof value !== 'string') {
    problems.add(path, `must be an indicator code, got ${describe(value)}`, label);
    return;
  }
  const check = checkFigureCode(value);
  if (!check.ok) problems.add(path, check.message, label);
};

const checkMeasure = (problems: Problems, measure: unknown, path: string, label: string): measure is Measure => {
  const before = problems.list.length;
  if (!isObject(measure) || Object.keys(measure).length !== 1) {
    problems.add(path, `must be exactly one of {"indicator": …}, {"ratio": {…}}, {"attainment": {…}}, got ${describe(measure)}`, label);
    return false;
  }
  if ('indicator' in measure) {
    checkIndicator(problems, measure['indicator'], `${path}.indicator`, label);
  } else if ('ratio' in measure) {
    const ratio = measure['ratio'];
    if (!isObject(ratio)) {
      problems.add(`${path}.ratio`, `must be {"numerator", "denominator", "per"?}, got ${describe(ratio)}`, label);
    } else {
      problems.onlyKnownKeys(ratio, ['numerator', 'denominator', 'per'], `${path}.ratio`, label);
      checkIndicator(problems, ratio['numerator'], `${path}.ratio.numerator`, label);
      checkIndicator(problems, ratio['denominator'], `${path}.ratio.denominator`, label);
      if (ratio['per'] !== undefined) problems.positive(ratio['per'], `${path}.ratio.per`, label);
    }
  } else if ('attainment' in measure) {
    const attainment = measure['attainment'];
    if (!isObject(attainment)) {
      problems.add(`${path}.attainment`, `must be {"indicator"}, got ${describe(attainment)}`, label);
    } else {
      problems.onlyKnownKeys(attainment, ['indicator'], `${path}.attainment`, label);
      checkIndicator(problems, attainment['indicator'], `${path}.attainment.indicator`, label);
    }
  } else {
    problems.add(path, `unknown measure "${Object.keys(measure)[0]}" (allowed: indicator, ratio, attainment)`, label);
  }
  return problems.list.length === before;
};

const checkBands = (problems: Problems, bands: unknown, maxPoints: number | undefined, path: string, label: string): void => {
  if (!Array.isArray(bands) || bands.length === 0) {
    problems.add(path, `must be a non-empty list of {"from", "points"}, got ${describe(bands)}`, label);
    return;
  }
  let previous: number | undefined;
  bands.forEach((band: unknown, index) => {
    const at = `${path}[${index}]`;
    if (!isObject(band)) {
      problems.add(at, `must be {"from", "points"}, got ${describe(band)}`, label);
      return;
    }
    problems.onlyKnownKeys(band, ['from', 'points'], at, label);
    if (problems.finite(band['from'], `${at}.from`, label)) {
      const from = band['from'];
      if (previous !== undefined && from <= previous) {
        problems.add(`${at}.from`, `bands must ascend strictly by "from": ${from} follows ${previous}`, label);
      }
      previous = from;
    }
    checkPoints(problems, band['points'], maxPoints, `${at}.points`, label, true);
  });
};

/** Points a rule grants: within 0 … maxPoints (0 allowed only where a rule can grant nothing, as a band). */
const checkPoints = (problems: Problems, points: unknown, maxPoints: number | undefined, path: string, label: string, zeroAllowed: boolean): void => {
  if (!isFiniteNumber(points) || points < 0 || (!zeroAllowed && points === 0)) {
    problems.add(path, `must be a number ${zeroAllowed ? '≥ 0' : '> 0'}, got ${describe(points)}`, label);
  } else if (maxPoints !== undefined && points > maxPoints) {
    problems.add(path, `${points} points exceed the criterion's maxPoints ${maxPoints}`, label);
  }
};

const checkRule = (problems: Problems, rule: unknown, maxPoints: number | undefined, path: string, label: string): void => {
  if (!isObject(rule)) {
    problems.add(path, `must be a rule object with "kind", got ${describe(rule)}`, label);
    return;
  }
  if (!problems.oneOf(['proportional', 'bands', 'condition'] as const, rule['kind'], `${path}.kind`, label)) return;
  switch (rule['kind']) {
    case 'proportional':
      problems.onlyKnownKeys(rule, ['kind', 'cap'], path, label);
      problems.positive(rule['cap'], `${path}.cap`, label);
      return;
    case 'bands':
      problems.onlyKnownKeys(rule, ['kind', 'bands'], path, label);
      checkBands(problems, rule['bands'], maxPoints, `${path}.bands`, label);
      return;
    case 'condition':
      problems.onlyKnownKeys(rule, ['kind', 'op', 'threshold', 'points'], path, label);
      problems.oneOf(COMPARISONS, rule['op'], `${path}.op`, label);
      problems.finite(rule['threshold'], `${path}.threshold`, label);
      checkPoints(problems, rule['points'], maxPoints, `${path}.points`, label, false);
      return;
  }
};

const checkCriteria = (problems: Problems, criteria: unknown): Set<string> => {
  const codes = new Map<string, number>();
  if (!problems.array(criteria, 'criteria')) return new Set();
  if (criteria.length === 0) problems.add('criteria', 'a criteria set needs at least one criterion');
  criteria.forEach((criterion: unknown, index) => {
    const path = `criteria[${index}]`;
    const label = labelOf(criterion, index);
    if (!isObject(criterion)) {
      problems.add(path, `must be a criterion object, got ${describe(criterion)}`, label);
      return;
    }
    problems.onlyKnownKeys(criterion, ['code', 'title', 'weight', 'maxPoints', 'measure', 'rule'], path, label);
    if (problems.code(criterion['code'], `${path}.code`, label)) problems.unique(codes, criterion['code'], index, `${path}.code`, 'criterion');
    problems.text(criterion['title'], `${path}.title`, label);
    if (criterion['weight'] !== undefined) problems.positive(criterion['weight'], `${path}.weight`, label);
    const maxPoints = problems.positive(criterion['maxPoints'], `${path}.maxPoints`, label) ? criterion['maxPoints'] : undefined;
    checkMeasure(problems, criterion['measure'], `${path}.measure`, label);
    checkRule(problems, criterion['rule'], maxPoints, `${path}.rule`, label);
  });
  return new Set(codes.keys());
};

const checkEligibility = (problems: Problems, rules: unknown): void => {
  const codes = new Map<string, number>();
  if (!problems.array(rules, 'eligibility')) return;
  rules.forEach((rule: unknown, index) => {
    const path = `eligibility[${index}]`;
    const label = labelOf(rule, index);
    if (!isObject(rule)) {
      problems.add(path, `must be an eligibility rule object, got ${describe(rule)}`, label);
      return;
    }
    problems.onlyKnownKeys(rule, ['code', 'title', 'measure', 'op', 'threshold'], path, label);
    if (problems.code(rule['code'], `${path}.code`, label)) problems.unique(codes, rule['code'], index, `${path}.code`, 'eligibility rule');
    problems.text(rule['title'], `${path}.title`, label);
    checkMeasure(problems, rule['measure'], `${path}.measure`, label);
    problems.oneOf(COMPARISONS, rule['op'], `${path}.op`, label);
    problems.finite(rule['threshold'], `${path}.threshold`, label);
  });
};

const checkTieBreakers = (problems: Problems, breakers: unknown, criteria: ReadonlySet<string>): void => {
  if (!problems.array(breakers, 'tieBreakers')) return;
  breakers.forEach((breaker: unknown, index) => {
    const path = `tieBreakers[${index}]`;
    if (!isObject(breaker)) {
      problems.add(path, `must be {"criterion"} or {"title", "measure"}, got ${describe(breaker)}`);
      return;
    }
    if (breaker['order'] !== undefined) problems.oneOf(ORDERS, breaker['order'], `${path}.order`);
    if ('criterion' in breaker) {
      problems.onlyKnownKeys(breaker, ['criterion', 'order'], path);
      const code = breaker['criterion'];
      if (typeof code !== 'string' || !criteria.has(code)) {
        problems.add(`${path}.criterion`, `names no criterion of this set: ${describe(code)}`, typeof code === 'string' ? code : undefined);
      }
    } else if ('measure' in breaker) {
      problems.onlyKnownKeys(breaker, ['title', 'measure', 'order'], path);
      const label = isNonEmptyString(breaker['title']) ? breaker['title'] : `tie-breaker #${index}`;
      problems.text(breaker['title'], `${path}.title`, label);
      checkMeasure(problems, breaker['measure'], `${path}.measure`, label);
    } else {
      problems.add(path, 'must name a "criterion" or a "measure"');
    }
  });
};

const checkAwardTiers = (problems: Problems, tiers: unknown, maxScore: number | undefined): void => {
  const codes = new Map<string, number>();
  if (!problems.array(tiers, 'awardTiers')) return;
  tiers.forEach((tier: unknown, index) => {
    const path = `awardTiers[${index}]`;
    const label = labelOf(tier, index);
    if (!isObject(tier)) {
      problems.add(path, `must be an award tier object, got ${describe(tier)}`, label);
      return;
    }
    problems.onlyKnownKeys(tier, ['code', 'title', 'top', 'minScore'], path, label);
    if (problems.code(tier['code'], `${path}.code`, label)) problems.unique(codes, tier['code'], index, `${path}.code`, 'award tier');
    problems.text(tier['title'], `${path}.title`, label);
    const { top, minScore } = tier;
    if (top === undefined && minScore === undefined) problems.add(path, 'an award tier needs "top", "minScore" or both', label);
    if (top !== undefined && !(Number.isSafeInteger(top) && (top as number) > 0)) {
      problems.add(`${path}.top`, `must be a whole number ≥ 1, got ${describe(top)}`, label);
    }
    if (minScore !== undefined) {
      if (!isFiniteNumber(minScore) || minScore < 0) problems.add(`${path}.minScore`, `must be a number ≥ 0, got ${describe(minScore)}`, label);
      else if (maxScore !== undefined && minScore > maxScore) {
        problems.add(`${path}.minScore`, `${minScore} is more than the set's maximum score ${maxScore}: no unit could reach it`, label);
      }
    }
  });
};

/** Σ weight × maxPoints when every criterion has usable numbers, else undefined (already reported). */
const maxScoreOf = (criteria: unknown): number | undefined => {
  if (!Array.isArray(criteria)) return undefined;
  let hundredths = 0;
  for (const criterion of criteria) {
    if (!isObject(criterion) || !isFiniteNumber(criterion['maxPoints'])) return undefined;
    const weight = criterion['weight'] ?? 1;
    if (!isFiniteNumber(weight)) return undefined;
    hundredths += Math.round(weight * criterion['maxPoints'] * 100);
  }
  return hundredths / 100;
};

/** Checks a parsed criteria set; on success returns a copy holding exactly the documented fields. */
export const validateCriteriaSet = (raw: unknown): CriteriaValidation => {
  const problems = new Problems();
  if (!isObject(raw)) return { ok: false, problems: [{ path: '', message: `a criteria set must be a JSON object, got ${describe(raw)}` }] };
  problems.onlyKnownKeys(raw, ['code', 'version', 'title', 'effectiveFrom', 'level', 'within', 'periodKind', 'criteria', 'eligibility', 'tieBreakers', 'awardTiers', 'note'], '');
  problems.code(raw['code'], 'code');
  if (!(Number.isSafeInteger(raw['version']) && (raw['version'] as number) >= 1)) {
    problems.add('version', `must be a whole number ≥ 1, got ${describe(raw['version'])}`);
  }
  problems.text(raw['title'], 'title');
  if (!isCalendarDate(raw['effectiveFrom'])) problems.add('effectiveFrom', `must be a calendar date YYYY-MM-DD, got ${describe(raw['effectiveFrom'])}`);
  const level = problems.oneOf(SCORED_LEVELS, raw['level'], 'level');
  if (problems.oneOf(RANKING_SCOPES, raw['within'], 'within') && level) {
    const allowed = ALLOWED_SCOPES[raw['level'] as keyof typeof ALLOWED_SCOPES];
    if (!allowed.includes(raw['within'] as (typeof allowed)[number])) {
      problems.add('within', `a ${raw['level']} is ranked within ${allowed.join(' or ')}, not within ${raw['within']}`);
    }
  }
  problems.oneOf(SCORING_PERIOD_KINDS, raw['periodKind'], 'periodKind');
  if (raw['note'] !== undefined && typeof raw['note'] !== 'string') problems.add('note', `must be a text, got ${describe(raw['note'])}`);
  const criterionCodes = checkCriteria(problems, raw['criteria']);
  checkEligibility(problems, raw['eligibility']);
  checkTieBreakers(problems, raw['tieBreakers'], criterionCodes);
  checkAwardTiers(problems, raw['awardTiers'], maxScoreOf(raw['criteria']));
  if (problems.list.length > 0) return { ok: false, problems: problems.list };
  return { ok: true, set: copySet(raw) };
};

/** One line for people and logs: `criteria[0].rule.cap (criterion visits): must be a number greater than 0, got 0`. */
export const formatProblem = (problem: CriteriaProblem): string =>
  `${problem.path || '(set)'}${problem.criterion === undefined ? '' : ` (${problem.criterion})`}: ${problem.message}`;
