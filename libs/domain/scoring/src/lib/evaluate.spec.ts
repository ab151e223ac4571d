import fc from 'fast-check';
import { isDomainError } from '@cdt/domain-shared';
import type { CriteriaSet, EvaluationInput, UnitResult } from './criteria-set';
import { evaluate } from './evaluate';
import { criteriaSet, criterion, unit } from './scoring.fixtures';

const only = (set: CriteriaSet, input: EvaluationInput): UnitResult => evaluate(set, [input]).results[0];

describe('evaluate: scoring rules', () => {
  describe('proportional — "Điểm = Tỷ lệ × Điểm tối đa"', () => {
    const set = criteriaSet({
      criteria: [criterion({ code: 'visits', maxPoints: 20, measure: { attainment: { indicator: 'household-visits' } }, rule: { kind: 'proportional', cap: 1 } })],
    });

    it.each([
      [75, 15, 0.75, undefined],
      [100, 20, 1, undefined],
      [141.6, 20, 1, 'capped at 1'],
      [0, 0, 0, undefined],
    ])('attainment %d %% of 20 points gives %d points', (percent, points, normalised, note) => {
      const result = only(set, unit('T1', { 'household-visits': percent * 10 }, { targets: { 'household-visits': 1000 } }));
      expect(result.breakdown).toEqual([{ criterion: 'visits', raw: (percent * 10) / 1000, normalised, points, ...(note ? { note } : {}) }]);
      expect(result.score).toBe(points);
    });

    it('scores a raw count against its cap: 37 visits of a cap of 50 on 10 points is 7.4', () => {
      const counts = criteriaSet({ criteria: [criterion({ code: 'visits', maxPoints: 10, rule: { kind: 'proportional', cap: 50 } })] });
      expect(only(counts, unit('T1', { 'household-visits': 37 })).breakdown[0]).toEqual({ criterion: 'visits', raw: 37, normalised: 0.74, points: 7.4 });
    });

    it('gives 0 points with the reason when there is no target', () => {
      expect(only(set, unit('T1', { 'household-visits': 500 })).breakdown[0]).toEqual({
        criterion: 'visits',
        raw: null,
        normalised: 0,
        points: 0,
        note: 'no target for household-visits in the period',
      });
    });

    it('rounds to hundredths: 1 of 3 on 10 points is 3.33', () => {
      const thirds = criteriaSet({ criteria: [criterion({ code: 'visits', maxPoints: 10, rule: { kind: 'proportional', cap: 3 } })] });
      expect(only(thirds, unit('T1', { 'household-visits': 1 })).breakdown[0]).toMatchObject({ normalised: 0.3333, points: 3.33 });
    });
  });

  describe('ratio measures', () => {
    const perMember = (per?: number): CriteriaSet =>
      criteriaSet({
        criteria: [
          criterion({
            code: 'reach',
            maxPoints: 10,
            measure: { ratio: { numerator: 'households-reached', denominator: 'members-registered', ...(per ? { per } : {}) } },
            rule: { kind: 'proportional', cap: 20 },
          }),
        ],
      });

    it('divides, and multiplies by per', () => {
      expect(only(perMember(), unit('T1', { 'households-reached': 50, 'members-registered': 5 })).breakdown[0]).toEqual({ criterion: 'reach', raw: 10, normalised: 0.5, points: 5 });
      expect(only(perMember(1000), unit('T1', { 'households-reached': 1, 'members-registered': 200 })).breakdown[0]).toMatchObject({ raw: 5, points: 2.5 });
    });

    it('cannot measure a ratio over 0 and says so', () => {
      expect(only(perMember(), unit('T1', { 'households-reached': 50 })).breakdown[0]).toEqual({
        criterion: 'reach',
        raw: null,
        normalised: 0,
        points: 0,
        note: 'members-registered is 0, so the ratio cannot be measured',
      });
    });
  });

  describe('bands', () => {
    const set = criteriaSet({
      criteria: [
        criterion({
          code: 'youth',
          maxPoints: 5,
          measure: { ratio: { numerator: 'youth-union-members', denominator: 'members-registered' } },
          rule: { kind: 'bands', bands: [{ from: 0.25, points: 3 }, { from: 0.5, points: 5 }] },
        }),
      ],
    });

    it.each([
      [0, 0, 'below the first band (0.25)'],
      [1, 0, 'below the first band (0.25)'],
      [2, 3, 'band from 0.25'],
      [3, 3, 'band from 0.25'],
      [4, 5, 'band from 0.5'],
      [8, 5, 'band from 0.5'],
    ])('%d youth-union members of 8 earn %d points', (youth, points, note) => {
      expect(only(set, unit('T1', { 'youth-union-members': youth, 'members-registered': 8 })).breakdown[0]).toEqual({
        criterion: 'youth',
        raw: youth / 8,
        normalised: points / 5,
        points,
        note,
      });
    });
  });

  describe('conditions', () => {
    const condition = (op: '>=' | '>' | '<=' | '<' | '==', threshold: number): CriteriaSet =>
      criteriaSet({ criteria: [criterion({ code: 'safety', maxPoints: 4, measure: { indicator: 'visit-skill.online-safety' }, rule: { kind: 'condition', op, threshold, points: 2 } })] });

    it.each([
      ['>=', 10, 10, 2],
      ['>=', 10, 9, 0],
      ['>', 10, 10, 0],
      ['>', 10, 11, 2],
      ['<=', 0, 0, 2],
      ['<', 1, 1, 0],
      ['==', 3, 3, 2],
      ['==', 3, 4, 0],
    ] as const)('%s %d with value %d grants %d points', (op, threshold, value, points) => {
      const line = only(condition(op, threshold), unit('T1', { 'visit-skill.online-safety': value })).breakdown[0];
      expect(line).toEqual({ criterion: 'safety', raw: value, normalised: points / 4, points, note: `${points ? '' : 'not '}${op} ${threshold}` });
    });
  });

  it('weights multiply points and the maximum score; the score is the sum of the points', () => {
    const set = criteriaSet({
      criteria: [
        criterion({ code: 'a', weight: 2, maxPoints: 10, rule: { kind: 'proportional', cap: 3 } }),
        criterion({ code: 'b', weight: 0.5, maxPoints: 10, measure: { indicator: 'app-installs' }, rule: { kind: 'proportional', cap: 3 } }),
      ],
    });
    const evaluation = evaluate(set, [unit('T1', { 'household-visits': 1, 'app-installs': 2 })]);
    expect(evaluation.maxScore).toBe(25);
    expect(evaluation.results[0].breakdown.map((line) => line.points)).toEqual([6.67, 3.33]);
    expect(evaluation.results[0].score).toBe(10);
  });
});

describe('evaluate: eligibility', () => {
  const set = criteriaSet({
    eligibility: [
      { code: 'min-members', title: 'At least 4 members', measure: { indicator: 'members-registered' }, op: '>=', threshold: 4 },
      { code: 'min-youth', title: 'At least 2 youth-union members', measure: { indicator: 'youth-union-members' }, op: '>=', threshold: 2 },
      { code: 'active', title: 'Active in the period', measure: { indicator: 'active-teams' }, op: '>=', threshold: 1 },
      { code: 'coverage', title: 'Half the villages', measure: { ratio: { numerator: 'villages-covered', denominator: 'villages-registered' } }, op: '>=', threshold: 0.5 },
    ],
    awardTiers: [{ code: 'all', title: 'everyone ranked', minScore: 0 }],
  });

  it('ranks a unit that meets every rule', () => {
    const result = only(set, unit('T1', { 'members-registered': 4, 'youth-union-members': 2, 'active-teams': 1, 'villages-covered': 1, 'villages-registered': 2 }));
    expect(result).toMatchObject({ eligible: true, ineligibleReasons: [], rank: 1, tier: 'all' });
  });

  it('lists every rule a unit fails, with its value, and gives no rank and no tier but keeps the breakdown', () => {
    const result = only(set, unit('T1', { 'members-registered': 3, 'youth-union-members': 2, 'household-visits': 50 }));
    expect(result).toMatchObject({ eligible: false, rank: null, tier: null, score: 5 });
    expect(result.ineligibleReasons).toEqual([
      { rule: 'min-members', value: 3, message: 'At least 4 members: 3, required >= 4' },
      { rule: 'active', value: 0, message: 'Active in the period: 0, required >= 1' },
      { rule: 'coverage', value: null, message: 'Half the villages: villages-registered is 0, so the ratio cannot be measured' },
    ]);
  });
});

describe('evaluate: ranks and awards', () => {
  it('ranks within each parent: score descending, then the unit code', () => {
    const evaluation = evaluate(criteriaSet(), [
      unit('T3', { 'household-visits': 50 }, { parentCode: 'P02' }),
      unit('T2', { 'household-visits': 50 }),
      unit('T1', { 'household-visits': 20 }),
      unit('T0', { 'household-visits': 50 }),
    ]);
    expect(evaluation.results.map(({ unitCode, parentCode, rank, score }) => ({ unitCode, parentCode, rank, score }))).toEqual([
      { unitCode: 'T0', parentCode: 'P01', rank: 1, score: 5 },
      { unitCode: 'T2', parentCode: 'P01', rank: 2, score: 5 },
      { unitCode: 'T1', parentCode: 'P01', rank: 3, score: 2 },
      { unitCode: 'T3', parentCode: 'P02', rank: 1, score: 5 },
    ]);
  });

  it('breaks ties by a criterion, then a measure (ascending on request, unmeasurable last), then the unit code', () => {
    const set = criteriaSet({
      criteria: [
        criterion({ code: 'visits', maxPoints: 10, rule: { kind: 'proportional', cap: 10 } }),
        criterion({ code: 'installs', maxPoints: 10, measure: { indicator: 'app-installs' }, rule: { kind: 'proportional', cap: 10 } }),
      ],
      tieBreakers: [
        { criterion: 'visits' },
        { title: 'fewer members first', measure: { ratio: { numerator: 'members-registered', denominator: 'teams-registered' } }, order: 'asc' },
      ],
    });
    const evaluation = evaluate(set, [
      unit('A', { 'household-visits': 4, 'app-installs': 6, 'members-registered': 5, 'teams-registered': 1 }),
      unit('B', { 'household-visits': 6, 'app-installs': 4, 'members-registered': 9, 'teams-registered': 1 }),
      unit('C', { 'household-visits': 4, 'app-installs': 6, 'members-registered': 4, 'teams-registered': 1 }),
      unit('D', { 'household-visits': 4, 'app-installs': 6, 'members-registered': 4 }),
      unit('E', { 'household-visits': 4, 'app-installs': 6, 'members-registered': 4, 'teams-registered': 1 }),
    ]);
    // all score 10: B has more visit points; C and E have fewer members (E after C by code); D cannot be measured.
    expect(evaluation.results.map((result) => result.unitCode)).toEqual(['B', 'C', 'E', 'A', 'D']);
    expect(evaluation.results.map((result) => result.rank)).toEqual([1, 2, 3, 4, 5]);
  });

  it('grants the first tier a unit qualifies for: top N, minimum score, or both', () => {
    const set = criteriaSet({
      awardTiers: [
        { code: 'gold', title: 'Gold', top: 1, minScore: 8 },
        { code: 'silver', title: 'Silver', top: 3 },
        { code: 'merit', title: 'Merit', minScore: 2 },
      ],
    });
    const evaluation = evaluate(set, [
      unit('T1', { 'household-visits': 70 }),
      unit('T2', { 'household-visits': 60 }),
      unit('T3', { 'household-visits': 50 }),
      unit('T4', { 'household-visits': 20 }),
      unit('T5', { 'household-visits': 19 }),
      unit('Q1', { 'household-visits': 90 }, { parentCode: 'P02' }),
    ]);
    expect(Object.fromEntries(evaluation.results.map((result) => [result.unitCode, result.tier]))).toEqual({
      T1: 'silver', // first but under gold's 8 points
      T2: 'silver',
      T3: 'silver',
      T4: 'merit',
      T5: null,
      Q1: 'gold', // top of its own province
    });
  });

  it('refuses the same unit twice', () => {
    let thrown: unknown;
    try {
      evaluate(criteriaSet(), [unit('T1', {}), unit('T1', {}, { parentCode: 'P02' })]);
    } catch (error) {
      thrown = error;
    }
    expect(isDomainError(thrown) && thrown.toJSON()).toEqual({ code: 'INVALID_VALUE', message: 'unit T1 appears twice in the evaluation inputs', field: 'unitCode' });
  });

  it('records the set it applied', () => {
    expect(evaluate(criteriaSet({ code: 'x', version: 3 }), [])).toEqual({ criteriaCode: 'x', criteriaVersion: 3, maxScore: 10, results: [] });
  });
});

describe('evaluate: determinism (property)', () => {
  const set = criteriaSet({
    criteria: [
      criterion({ code: 'visits', maxPoints: 7, weight: 1.5, rule: { kind: 'proportional', cap: 30 } }),
      criterion({ code: 'vneid', maxPoints: 10, measure: { attainment: { indicator: 'app-install.vneid' } }, rule: { kind: 'proportional', cap: 1 } }),
      criterion({ code: 'weeks', maxPoints: 3, measure: { indicator: 'active-weeks' }, rule: { kind: 'bands', bands: [{ from: 4, points: 1 }, { from: 8, points: 3 }] } }),
    ],
    eligibility: [{ code: 'members', title: 'members', measure: { indicator: 'members-registered' }, op: '>=', threshold: 4 }],
    tieBreakers: [{ criterion: 'weeks' }],
    awardTiers: [{ code: 'top', title: 'Top 2', top: 2 }],
  });
  const inputs = fc.uniqueArray(
    fc.record({
      code: fc.integer({ min: 0, max: 300 }),
      parent: fc.constantFrom('P01', 'P02', 'P03'),
      visits: fc.integer({ min: 0, max: 40 }),
      vneid: fc.integer({ min: 0, max: 30 }),
      target: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
      weeks: fc.integer({ min: 0, max: 13 }),
      members: fc.integer({ min: 2, max: 9 }),
    }),
    { selector: (row) => row.code, maxLength: 40 },
  );
  const toInputs = (rows: { code: number; parent: string; visits: number; vneid: number; target?: number; weeks: number; members: number }[]): EvaluationInput[] =>
    rows.map((row) =>
      unit(
        `T${String(row.code).padStart(3, '0')}`,
        { 'household-visits': row.visits, 'app-install.vneid': row.vneid, 'active-weeks': row.weeks, 'members-registered': row.members },
        { parentCode: row.parent, targets: row.target === undefined ? {} : { 'app-install.vneid': row.target } },
      ),
    );

  it('gives the same evaluation for any order of the inputs, ranks 1…n per parent, and scores that sum their points', () => {
    fc.assert(
      fc.property(inputs, fc.infiniteStream(fc.nat()), (rows, keys) => {
        const given = toInputs(rows);
        const shuffled = given.map((input) => ({ input, key: keys.next().value as number })).sort((a, b) => a.key - b.key).map(({ input }) => input);
        const evaluation = evaluate(set, given);
        expect(evaluate(set, shuffled)).toEqual(evaluation);
        for (const parent of ['P01', 'P02', 'P03']) {
          const ranked = evaluation.results.filter((result) => result.parentCode === parent && result.rank !== null);
          expect(ranked.map((result) => result.rank)).toEqual(ranked.map((_, index) => index + 1));
          for (let i = 1; i < ranked.length; i++) expect(ranked[i - 1].score).toBeGreaterThanOrEqual(ranked[i].score);
          expect(ranked.filter((result) => result.tier === 'top').length).toBe(Math.min(2, ranked.length));
        }
        for (const result of evaluation.results) {
          const hundredths = result.breakdown.reduce((sum, line) => sum + Math.round(line.points * 100), 0);
          expect(Math.round(result.score * 100)).toBe(hundredths);
          expect(result.score).toBeLessThanOrEqual(evaluation.maxScore);
          expect(result.eligible).toBe(result.rank !== null);
        }
      }),
      { numRuns: 200 },
    );
  });
});
