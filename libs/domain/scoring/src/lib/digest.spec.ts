import fc from 'fast-check';
import type { CriteriaSet, Evaluation, EvaluationInput } from './criteria-set';
import canonicalize from 'canonicalize';
import { canonicalCriteriaSet, criteriaChecksum, evaluationDigest, evaluationDigestLines, evaluationDigests, evaluationInputsDigest, firstDifference, firstInputDifference } from './digest';
import { evaluate } from './evaluate';
import { criteriaSet, criterion, textHash, unit } from './scoring.fixtures';
import { validateCriteriaSet } from './validate-criteria-set';

/** The same JSON value with every object's keys in a different order. */
const reorderKeys = (value: unknown, seed: number): unknown => {
  if (Array.isArray(value)) return value.map((item, index) => reorderKeys(item, seed + index));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const rotated = [...entries.slice(seed % Math.max(entries.length, 1)), ...entries.slice(0, seed % Math.max(entries.length, 1))].reverse();
  return Object.fromEntries(rotated.map(([key, item], index) => [key, reorderKeys(item, seed + index + 1)]));
};

/** A set using every part of the format, so reordering reaches every kind of object. */
const richSet = (): CriteriaSet =>
  criteriaSet({
    criteria: [
      criterion({ code: 'a', weight: 2, measure: { attainment: { indicator: 'app-install.vneid' } }, rule: { kind: 'proportional', cap: 1 } }),
      criterion({ code: 'b', measure: { ratio: { numerator: 'households-reached', denominator: 'members-registered', per: 10 } }, rule: { kind: 'bands', bands: [{ from: 1, points: 4 }, { from: 5, points: 10 }] } }),
      criterion({ code: 'c', measure: { indicator: 'active-weeks' }, rule: { kind: 'condition', op: '>=', threshold: 10, points: 10 } }),
    ],
    eligibility: [{ code: 'members', title: 'members', measure: { indicator: 'members-registered' }, op: '>=', threshold: 4 }],
    tieBreakers: [{ criterion: 'b', order: 'asc' }, { title: 'visits', measure: { indicator: 'household-visits' } }],
    awardTiers: [{ code: 'gold', title: 'Gold', top: 3, minScore: 20 }],
    note: 'n',
  });

describe('criteriaChecksum', () => {
  it('hashes the RFC 8785 text of the set: sorted keys, no whitespace', () => {
    const set = criteriaSet();
    expect(canonicalCriteriaSet(set)).toBe(
      '{"awardTiers":[],"code":"spec-set","criteria":[{"code":"visits","maxPoints":10,"measure":{"indicator":"household-visits"},"rule":{"cap":100,"kind":"proportional"},"title":"criterion visits"}],"effectiveFrom":"2025-07-01","eligibility":[],"level":"team","periodKind":"quarter","tieBreakers":[],"title":"A set for specs","version":1,"within":"province"}',
    );
    expect(criteriaChecksum(set, textHash)).toBe(canonicalCriteriaSet(set));
  });

  it('does not depend on the key order of the source (property)', () => {
    const set = richSet();
    fc.assert(
      fc.property(fc.nat(1000), (seed) => {
        const reordered = validateCriteriaSet(reorderKeys(JSON.parse(JSON.stringify(set)), seed));
        expect(reordered.ok && criteriaChecksum(reordered.set, textHash)).toBe(criteriaChecksum(set, textHash));
      }),
    );
  });

  it('changes with any change of a criterion', () => {
    const base = criteriaSet();
    const changed = criteriaSet({ criteria: [criterion({ code: 'visits', rule: { kind: 'proportional', cap: 101 } })] });
    expect(criteriaChecksum(changed, textHash)).not.toBe(criteriaChecksum(base, textHash));
  });
});

describe('evaluationDigest', () => {
  const set = criteriaSet({ awardTiers: [{ code: 'gold', title: 'Gold', top: 1 }] });
  const inputs: EvaluationInput[] = [
    unit('T2', { 'household-visits': 30 }, { unitName: 'Tổ thôn Hạ' }),
    unit('T1', { 'household-visits': 40 }, { targets: { 'household-visits': 45 } }),
    unit('T3', { 'household-visits': 10 }, { parentCode: 'P02' }),
  ];

  it('writes a header, then one line per unit by unit code with its input and result', () => {
    const lines = [...evaluationDigestLines(inputs, evaluate(set, inputs))];
    expect(lines[0]).toBe('{"criteriaCode":"spec-set","criteriaVersion":1,"maxScore":10,"units":3}\n');
    expect(lines.slice(1).map((line) => JSON.parse(line).input.unitCode)).toEqual(['T1', 'T2', 'T3']);
    expect(JSON.parse(lines[1])).toEqual({ input: inputs[1], result: evaluate(set, inputs).results[0] });
  });

  it('is the same for any input order, and differs when a figure differs', () => {
    const digest = evaluationDigest(inputs, evaluate(set, inputs), textHash);
    const reversed = [...inputs].reverse();
    expect(evaluationDigest(reversed, evaluate(set, reversed), textHash)).toBe(digest);
    const changed = [unit('T2', { 'household-visits': 30, 'app-installs': 1 }, { unitName: 'Tổ thôn Hạ' }), inputs[1], inputs[2]];
    expect(evaluationDigest(changed, evaluate(set, changed), textHash)).not.toBe(digest);
  });
});

describe('evaluationInputsDigest', () => {
  it('hashes each input canonicalized on its own line, in unit-code order', () => {
    const inputs = [unit('T2', { b: 1, a: 2 }, { unitName: 'Hạ' }), unit('T1', {}, { targets: { 'household-visits': 3 } })];
    expect(evaluationInputsDigest(inputs, textHash)).toBe(`${canonicalize(inputs[1])}\n${canonicalize(inputs[0])}\n`);
  });
});

describe('evaluationDigests', () => {
  const set = criteriaSet({ awardTiers: [{ code: 'gold', title: 'Gold', top: 1 }] });
  const inputs: EvaluationInput[] = [
    unit('T2', { 'household-visits': 30, b: 1, a: 2 }, { unitName: 'Tổ thôn "Hạ"' }),
    unit('T1', { 'household-visits': 40 }, { targets: { 'household-visits': 45 } }),
    unit('T3', { 'household-visits': 10 }, { parentCode: 'P02' }),
  ];

  it('gives the same bytes as evaluationInputsDigest and evaluationDigest called one by one', () => {
    const evaluation = evaluate(set, inputs);
    expect(evaluationDigests(inputs, evaluation, textHash)).toEqual({ inputsDigest: evaluationInputsDigest(inputs, textHash), resultsDigest: evaluationDigest(inputs, evaluation, textHash) });
  });

  it('also when inputs and results name different units, or an input is repeated', () => {
    const evaluation = evaluate(set, inputs.slice(0, 2));
    const withExtra = [...inputs, unit('T0', { 'household-visits': 1 })];
    expect(evaluationDigests(withExtra, evaluation, textHash)).toEqual({ inputsDigest: evaluationInputsDigest(withExtra, textHash), resultsDigest: evaluationDigest(withExtra, evaluation, textHash) });
    const repeated = [...inputs, inputs[0]];
    expect(evaluationDigests(repeated, evaluation, textHash)).toEqual({ inputsDigest: evaluationInputsDigest(repeated, textHash), resultsDigest: evaluationDigest(repeated, evaluation, textHash) });
  });
});

describe('firstDifference', () => {
  const set = criteriaSet({
    criteria: [criterion({ code: 'visits' }), criterion({ code: 'installs', measure: { indicator: 'app-installs' } })],
    awardTiers: [{ code: 'gold', title: 'Gold', top: 1 }],
  });
  const run = (inputs: EvaluationInput[]): Evaluation => evaluate(set, inputs);
  const recorded = run([unit('T1', { 'household-visits': 40, 'app-installs': 10 }), unit('T2', { 'household-visits': 30, 'app-installs': 15 })]);

  it('says nothing when identical', () => {
    expect(firstDifference(recorded, run([unit('T2', { 'household-visits': 30, 'app-installs': 15 }), unit('T1', { 'household-visits': 40, 'app-installs': 10 })]))).toBeUndefined();
  });

  it('names the unit, the criterion and the field that caused a change, before the ranks it moved', () => {
    const later = run([unit('T1', { 'household-visits': 40, 'app-installs': 10 }), unit('T2', { 'household-visits': 30, 'app-installs': 35 })]);
    expect(firstDifference(recorded, later)).toBe('unit T2: criterion installs: raw 15 ≠ 35');
  });

  it('names a rank or tier change when the causes are outside the results', () => {
    const reranked: Evaluation = { ...recorded, results: recorded.results.map((result) => ({ ...result, rank: result.rank === 1 ? 2 : 1 })) };
    expect(firstDifference(recorded, reranked)).toBe('unit T1: rank 1 ≠ 2');
    const untiered: Evaluation = { ...recorded, results: recorded.results.map((result) => ({ ...result, tier: null })) };
    expect(firstDifference(recorded, untiered)).toBe('unit T1: tier "gold" ≠ null');
  });

  it('names a unit missing on one side, a changed score, and another criteria version', () => {
    expect(firstDifference(recorded, run([unit('T1', { 'household-visits': 40, 'app-installs': 10 })]))).toBe('unit T2 only in the first evaluation');
    const rescored: Evaluation = { ...recorded, results: [{ ...recorded.results[0], score: 99 }, recorded.results[1]] };
    expect(firstDifference(recorded, rescored)).toBe('unit T1: score 5 ≠ 99');
    expect(firstDifference(recorded, { ...recorded, criteriaVersion: 2 })).toBe('criteria spec-set v1 ≠ spec-set v2');
  });
});

describe('firstInputDifference', () => {
  const inputs = [unit('T1', { 'household-visits': 4 }, { targets: { 'household-visits': 10 } }), unit('T2', { 'household-visits': 5 })];

  it('names the unit and the figure or target that differs', () => {
    expect(firstInputDifference(inputs, [...inputs].reverse())).toBeUndefined();
    expect(firstInputDifference(inputs, [inputs[0], unit('T2', { 'household-visits': 5, 'app-installs': 2 })])).toBe('unit T2: figure app-installs absent ≠ 2');
    expect(firstInputDifference(inputs, [unit('T1', { 'household-visits': 4 }, { targets: { 'household-visits': 12 } }), inputs[1]])).toBe('unit T1: target household-visits 10 ≠ 12');
    expect(firstInputDifference(inputs, [inputs[0]])).toBe('unit T2 only in the first inputs');
  });
});
