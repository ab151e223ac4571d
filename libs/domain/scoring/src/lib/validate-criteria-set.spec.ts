import type { CriteriaProblem } from './criteria-set';
import { requiredIndicators, requiredTargets } from './indicators';
import { criteriaSet, criterion } from './scoring.fixtures';
import { formatProblem, validateCriteriaSet } from './validate-criteria-set';

const problemsOf = (raw: unknown): CriteriaProblem[] => {
  const result = validateCriteriaSet(raw);
  if (result.ok) throw new Error('expected the set to be rejected');
  return [...result.problems];
};

/** A set as an editor would send it: plain JSON, open to any mistake. */
const rawSet = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({ ...JSON.parse(JSON.stringify(criteriaSet())), ...overrides });
const withCriterion = (fields: Record<string, unknown>): Record<string, unknown> =>
  rawSet({ criteria: [{ ...JSON.parse(JSON.stringify(criterion({ code: 'visits' }))), ...fields }] });

describe('validateCriteriaSet', () => {
  it('accepts a valid set and returns exactly its documented fields', () => {
    const result = validateCriteriaSet(rawSet({ note: 'n' }));
    expect(result).toEqual({ ok: true, set: { ...criteriaSet(), note: 'n' } });
  });

  it('lists the figures and targets a set reads, from criteria, eligibility and tie-breakers', () => {
    const set = criteriaSet({
      criteria: [criterion({ code: 'a', measure: { attainment: { indicator: 'app-install.vneid' } } }), criterion({ code: 'b', measure: { ratio: { numerator: 'households-reached', denominator: 'members-registered' } } })],
      eligibility: [{ code: 'active', title: 'active', measure: { indicator: 'active-weeks' }, op: '>=', threshold: 1 }],
      tieBreakers: [{ title: 'visits', measure: { indicator: 'household-visits' } }, { criterion: 'a' }],
    });
    expect(requiredIndicators(set)).toEqual(['active-weeks', 'app-install.vneid', 'household-visits', 'households-reached', 'members-registered']);
    expect(requiredTargets(set)).toEqual(['app-install.vneid']);
  });

  it('rejects what is not an object', () => {
    expect(problemsOf([1])).toEqual([{ path: '', message: 'a criteria set must be a JSON object, got [1]' }]);
  });

  it.each<[string, Record<string, unknown>, CriteriaProblem]>([
    [
      'an unknown indicator',
      { measure: { indicator: 'household-vists' } },
      { path: 'criteria[0].measure.indicator', criterion: 'visits', message: 'unknown indicator "household-vists" (not in the KPI catalog nor in SCORING_INDICATORS)' },
    ],
    [
      'a catalog ratio used as a figure',
      { measure: { indicator: 'youth-union-share' } },
      {
        path: 'criteria[0].measure.indicator',
        criterion: 'visits',
        message: '"youth-union-share" is a ratio in the KPI catalog, not a figure: write {"ratio": {"numerator": "youth-union-members", "denominator": "members-registered"}}',
      },
    ],
    [
      'an unknown ratio denominator',
      { measure: { ratio: { numerator: 'household-visits', denominator: 'households-in-commune' } } },
      { path: 'criteria[0].measure.ratio.denominator', criterion: 'visits', message: 'unknown indicator "households-in-commune" (not in the KPI catalog nor in SCORING_INDICATORS)' },
    ],
    ['a ratio per 0', { measure: { ratio: { numerator: 'household-visits', denominator: 'members-registered', per: 0 } } }, { path: 'criteria[0].measure.ratio.per', criterion: 'visits', message: 'must be a number greater than 0, got 0' }],
    [
      'two measures at once',
      { measure: { indicator: 'household-visits', attainment: { indicator: 'household-visits' } } },
      {
        path: 'criteria[0].measure',
        criterion: 'visits',
        message: 'must be exactly one of {"indicator": …}, {"ratio": {…}}, {"attainment": {…}}, got {"indicator":"household-visits","attainment":{"indicator":"household-visits"}}',
      },
    ],
    ['a cap of 0', { rule: { kind: 'proportional', cap: 0 } }, { path: 'criteria[0].rule.cap', criterion: 'visits', message: 'must be a number greater than 0, got 0' }],
    ['a negative cap', { rule: { kind: 'proportional', cap: -1 } }, { path: 'criteria[0].rule.cap', criterion: 'visits', message: 'must be a number greater than 0, got -1' }],
    ['an unknown rule kind', { rule: { kind: 'linear' } }, { path: 'criteria[0].rule.kind', criterion: 'visits', message: 'must be one of proportional, bands, condition, got "linear"' }],
    [
      'bands not ascending',
      { rule: { kind: 'bands', bands: [{ from: 10, points: 5 }, { from: 10, points: 8 }] } },
      { path: 'criteria[0].rule.bands[1].from', criterion: 'visits', message: 'bands must ascend strictly by "from": 10 follows 10' },
    ],
    ['no bands', { rule: { kind: 'bands', bands: [] } }, { path: 'criteria[0].rule.bands', criterion: 'visits', message: 'must be a non-empty list of {"from", "points"}, got []' }],
    [
      'band points above maxPoints',
      { rule: { kind: 'bands', bands: [{ from: 1, points: 12 }] } },
      { path: 'criteria[0].rule.bands[0].points', criterion: 'visits', message: "12 points exceed the criterion's maxPoints 10" },
    ],
    [
      'a condition with an unknown operator',
      { rule: { kind: 'condition', op: '=>', threshold: 1, points: 5 } },
      { path: 'criteria[0].rule.op', criterion: 'visits', message: 'must be one of >=, >, <=, <, ==, got "=>"' },
    ],
    [
      'a condition granting 0 points',
      { rule: { kind: 'condition', op: '>=', threshold: 1, points: 0 } },
      { path: 'criteria[0].rule.points', criterion: 'visits', message: 'must be a number > 0, got 0' },
    ],
    ['a weight of 0', { weight: 0 }, { path: 'criteria[0].weight', criterion: 'visits', message: 'must be a number greater than 0, got 0' }],
    ['a textual maxPoints', { maxPoints: '10' }, { path: 'criteria[0].maxPoints', criterion: 'visits', message: 'must be a number greater than 0, got "10"' }],
    [
      'a misspelt field',
      { weigth: 2 },
      { path: 'criteria[0].weigth', criterion: 'visits', message: 'unknown field "weigth" (allowed: code, title, weight, maxPoints, measure, rule)' },
    ],
    ['an empty title', { title: ' ' }, { path: 'criteria[0].title', criterion: 'visits', message: 'must be a non-empty text, got " "' }],
  ])('names the criterion and the problem: %s', (_name, fields, problem) => {
    expect(problemsOf(withCriterion(fields))).toEqual([problem]);
  });

  it('names a criterion without a usable code by its position', () => {
    expect(problemsOf(withCriterion({ code: 'Visits!' }))).toEqual([
      { path: 'criteria[0].code', criterion: 'Visits!', message: 'must be a code of lower-case letters, digits, ".", "_" or "-" (at most 64), got "Visits!"' },
    ]);
    expect(problemsOf(rawSet({ criteria: [{ title: 'no code', maxPoints: 1, measure: { indicator: 'household-visits' }, rule: { kind: 'proportional', cap: 1 } }] }))).toEqual([
      { path: 'criteria[0].code', criterion: '#0', message: 'must be a code of lower-case letters, digits, ".", "_" or "-" (at most 64), got missing' },
    ]);
  });

  it('rejects duplicate codes of criteria, eligibility rules and award tiers', () => {
    const rule = { code: 'members', title: 'members', measure: { indicator: 'members-registered' }, op: '>=', threshold: 4 };
    const tier = { code: 'gold', title: 'Gold', top: 1 };
    const problems = problemsOf(
      rawSet({ criteria: [criterion({ code: 'a' }), criterion({ code: 'a' })], eligibility: [rule, rule], awardTiers: [tier, tier] }),
    );
    expect(problems).toEqual([
      { path: 'criteria[1].code', criterion: 'a', message: 'duplicate criterion code "a" (also at index 0)' },
      { path: 'eligibility[1].code', criterion: 'members', message: 'duplicate eligibility rule code "members" (also at index 0)' },
      { path: 'awardTiers[1].code', criterion: 'gold', message: 'duplicate award tier code "gold" (also at index 0)' },
    ]);
  });

  it('rejects invalid award tiers', () => {
    const problems = problemsOf(
      rawSet({
        awardTiers: [
          { code: 'none', title: 'neither top nor minScore' },
          { code: 'half', title: 'half a rank', top: 1.5 },
          { code: 'unreachable', title: 'more than the maximum', minScore: 11 },
        ],
      }),
    );
    expect(problems).toEqual([
      { path: 'awardTiers[0]', criterion: 'none', message: 'an award tier needs "top", "minScore" or both' },
      { path: 'awardTiers[1].top', criterion: 'half', message: 'must be a whole number ≥ 1, got 1.5' },
      { path: 'awardTiers[2].minScore', criterion: 'unreachable', message: "11 is more than the set's maximum score 10: no unit could reach it" },
    ]);
  });

  it('rejects tie-breakers naming no criterion, and bad eligibility rules', () => {
    const problems = problemsOf(
      rawSet({
        tieBreakers: [{ criterion: 'nope' }, { title: 'visits', measure: { indicator: 'household-visits' }, order: 'up' }],
        eligibility: [{ code: 'members', title: 'members', measure: { indicator: 'members' }, op: '>=', threshold: '4' }],
      }),
    );
    expect(problems).toEqual([
      { path: 'eligibility[0].measure.indicator', criterion: 'members', message: 'unknown indicator "members" (not in the KPI catalog nor in SCORING_INDICATORS)' },
      { path: 'eligibility[0].threshold', criterion: 'members', message: 'must be a number, got "4"' },
      { path: 'tieBreakers[0].criterion', criterion: 'nope', message: 'names no criterion of this set: "nope"' },
      { path: 'tieBreakers[1].order', message: 'must be one of desc, asc, got "up"' },
    ]);
  });

  it('rejects bad set-level fields, all at once', () => {
    const problems = problemsOf(
      rawSet({ code: '', version: 0, effectiveFrom: '2025-02-30', level: 'province', within: 'province', periodKind: 'week', criteria: [], extra: true }),
    );
    expect(problems.map(formatProblem)).toEqual([
      '.extra: unknown field "extra" (allowed: code, version, title, effectiveFrom, level, within, periodKind, criteria, eligibility, tieBreakers, awardTiers, note)',
      'code: must be a code of lower-case letters, digits, ".", "_" or "-" (at most 64), got ""',
      'version: must be a whole number ≥ 1, got 0',
      'effectiveFrom: must be a calendar date YYYY-MM-DD, got "2025-02-30"',
      'within: a province is ranked within nation, not within province',
      'periodKind: must be one of month, quarter, year, got "week"',
      'criteria: a criteria set needs at least one criterion',
    ]);
  });

  it('formats a problem with its path and criterion', () => {
    expect(formatProblem({ path: 'criteria[0].rule.cap', criterion: 'visits', message: 'must be a number greater than 0, got 0' })).toBe(
      'criteria[0].rule.cap (visits): must be a number greater than 0, got 0',
    );
  });

  it('accepts every rule kind, weights, tie-breakers and tiers together', () => {
    const raw = rawSet({
      criteria: [
        criterion({ code: 'a', weight: 2, measure: { attainment: { indicator: 'app-install.vneid' } }, rule: { kind: 'proportional', cap: 1 } }),
        criterion({ code: 'b', measure: { ratio: { numerator: 'households-reached', denominator: 'members-registered', per: 1000 } }, rule: { kind: 'bands', bands: [{ from: 0, points: 0 }, { from: 5, points: 10 }] } }),
        criterion({ code: 'c', measure: { indicator: 'active-weeks' }, rule: { kind: 'condition', op: '>=', threshold: 10, points: 10 } }),
      ],
      tieBreakers: [{ criterion: 'b', order: 'asc' }, { title: 'reach', measure: { indicator: 'communes-in-unit' } }],
      awardTiers: [{ code: 'gold', title: 'Gold', top: 3, minScore: 40 }],
    });
    expect(validateCriteriaSet(raw).ok).toBe(true);
  });

  it('is the authority on level and scope pairs', () => {
    expect(validateCriteriaSet(rawSet({ level: 'commune', within: 'commune' })).ok).toBe(false);
    expect(validateCriteriaSet(rawSet({ level: 'commune', within: 'province' })).ok).toBe(true);
    expect(validateCriteriaSet(rawSet({ level: 'team', within: 'commune' })).ok).toBe(true);
  });
});
