import fc from 'fast-check';
import canonicalize from 'canonicalize';
import type { Evaluation, EvaluationInput, UnitResult } from './criteria-set';
import { evaluationDigests, evaluationDigestsOf, evaluationInputsDigestOf, evaluationInputsDigest, CURRENT_DIGEST_VERSION } from './digest';
import { evaluationDigestsV2, evaluationInputsDigestV2, evaluationResultsDigestV2 } from './digest-v2';
import { evaluate } from './evaluate';
import { criteriaSet, criterion, textHash, unit } from './scoring.fixtures';
import { unitArbitraries } from './unit-arbitraries.fixtures';

/** The byte format of docs/scoring/README.md ("Digest version 2"), written out independently, as hex. */
const u8 = (n: number) => n.toString(16).padStart(2, '0');
const u32 = (n: number) => n.toString(16).padStart(8, '0');
const str = (s: string) => u32(s.length) + [...Array(s.length).keys()].map((i) => s.charCodeAt(i).toString(16).padStart(4, '0')).join('');
const f64 = (x: number) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return [0, 1, 2, 3, 4, 5, 6, 7].map((i) => u8(view.getUint8(i))).join('');
};
/** A word's first occurrence: 0 and its str. */
const newWord = (s: string) => u32(0) + str(s);

describe('evaluationInputsDigestV2', () => {
  it('writes the documented bytes: magic, count, then each input by unit code, repeated strings as word numbers', () => {
    const inputs = [unit('T2', { b: 1, a: 2.5 }, { parentCode: 'P01' }), unit('T1', { a: -0 }, { parentCode: 'P01', unitName: 'Hạ', targets: { a: 3 } })];
    const expected =
      str('cdt-evaluation-inputs/2') +
      u32(2) +
      // T1: unitCode, unitName present, parentCode (word 1), figures {a (word 2): 0}, targets {a: 3}
      str('T1') + u8(1) + str('Hạ') + newWord('P01') + u32(1) + newWord('a') + f64(0) + u32(1) + u32(2) + f64(3) +
      // T2: no name, parentCode = word 1, figures {a: 2.5, b (word 3): 1} in key order, no targets
      str('T2') + u8(0) + u32(1) + u32(2) + u32(2) + f64(2.5) + newWord('b') + f64(1) + u32(0);
    expect(evaluationInputsDigestV2(inputs, textHash)).toBe(expected);
  });

  it('refuses a number it cannot write', () => {
    expect(() => evaluationInputsDigestV2([unit('T1', { a: Number.POSITIVE_INFINITY })], textHash)).toThrow('Infinity cannot be written');
  });
});

describe('evaluationResultsDigestV2', () => {
  const set = criteriaSet({ criteria: [criterion({ code: 'visits' })], eligibility: [{ code: 'members', title: 'members', measure: { indicator: 'members-registered' }, op: '>=', threshold: 4 }], awardTiers: [{ code: 'gold', title: 'Gold', top: 1 }] });
  const inputs = [unit('T2', { 'household-visits': 30, 'members-registered': 5 }), unit('T1', { 'household-visits': 40, 'members-registered': 2 })];
  const evaluation = evaluate(set, inputs);

  it('writes the header with the inputs digest, then each result by unit code', () => {
    const [t2, t1] = [evaluation.results.find((r) => r.unitCode === 'T2') as UnitResult, evaluation.results.find((r) => r.unitCode === 'T1') as UnitResult];
    const line = (r: UnitResult, criterionWord: string) => criterionWord + (r.breakdown[0].raw === null ? u8(0) : u8(1) + f64(r.breakdown[0].raw)) + f64(r.breakdown[0].normalised) + f64(r.breakdown[0].points) + u8(0);
    const expected =
      str('cdt-evaluation-results/2') + str('spec-set') + f64(1) + f64(evaluation.maxScore) + str('digest-of-inputs') + u32(2) +
      // T1: not eligible (members 2 < 4), one reason, score, one line, no rank, no tier
      str('T1') + u8(0) + newWord('P01') + u8(0) + u32(1) + newWord('members') + u8(1) + f64(2) + newWord(t1.ineligibleReasons[0].message) + f64(t1.score) + u32(1) + line(t1, newWord('visits')) + u8(0) + u8(0) +
      // T2: eligible, rank 1, tier gold
      str('T2') + u8(0) + u32(1) + u8(1) + u32(0) + f64(t2.score) + u32(1) + line(t2, u32(4)) + u8(1) + f64(1) + u8(1) + newWord('gold');
    expect(evaluationResultsDigestV2('digest-of-inputs', evaluation, textHash)).toBe(expected);
  });

  it('changes with the criteria, the maximum score or the inputs digest', () => {
    const base = evaluationResultsDigestV2('x', evaluation, textHash);
    expect(evaluationResultsDigestV2('y', evaluation, textHash)).not.toBe(base);
    expect(evaluationResultsDigestV2('x', { ...evaluation, criteriaCode: 'other' }, textHash)).not.toBe(base);
    expect(evaluationResultsDigestV2('x', { ...evaluation, criteriaVersion: 2 }, textHash)).not.toBe(base);
    expect(evaluationResultsDigestV2('x', { ...evaluation, maxScore: evaluation.maxScore + 1 }, textHash)).not.toBe(base);
  });

  it('evaluationDigestsV2 chains the two: the results digest names the inputs digest', () => {
    const both = evaluationDigestsV2(inputs, evaluation, textHash);
    expect(both.inputsDigest).toBe(evaluationInputsDigestV2(inputs, textHash));
    expect(both.resultsDigest).toBe(evaluationResultsDigestV2(both.inputsDigest, evaluation, textHash));
  });
});

describe('digest versions', () => {
  const set = criteriaSet();
  const inputs = [unit('T2', { 'household-visits': 30 }), unit('T1', { 'household-visits': 40 })];
  const evaluation = evaluate(set, inputs);

  it('version 1 is the canonical JSON definition, byte for byte as before; version 2 the binary one; new runs use 2', () => {
    expect(evaluationDigestsOf(1, inputs, evaluation, textHash)).toEqual(evaluationDigests(inputs, evaluation, textHash));
    expect(evaluationInputsDigestOf(1, inputs, textHash)).toBe(evaluationInputsDigest(inputs, textHash));
    expect(evaluationDigestsOf(2, inputs, evaluation, textHash)).toEqual(evaluationDigestsV2(inputs, evaluation, textHash));
    expect(evaluationInputsDigestOf(2, inputs, textHash)).toBe(evaluationInputsDigestV2(inputs, textHash));
    expect(evaluationDigestsOf(2, inputs, evaluation, textHash).inputsDigest).not.toBe(evaluationDigestsOf(1, inputs, evaluation, textHash).inputsDigest);
    expect(CURRENT_DIGEST_VERSION).toBe(2);
  });
});

// ── properties ─────────────────────────────────────────────────────────────────────────────────────

const { code, amount, figures, input, result } = unitArbitraries({ codeLength: 8, maxKeys: 6, maxLines: 4 });

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * One field of a JSON value replaced, added or removed, anywhere in it (a figure's value or key, a
 * breakdown line's note, a reason, the tier…): the mutation is picked by a path of indexes.
 */
const mutate = (value: Json, path: readonly number[], replacement: Json): Json => {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  if (Array.isArray(value)) {
    if (value.length === 0 || path[0] % (value.length + 1) === value.length) return [...value, replacement];
    const i = path[0] % (value.length + 1);
    return value.map((item, k) => (k === i ? mutate(item, path.slice(1), replacement) : item));
  }
  const keys = Object.keys(value);
  const pick = path[0] % (keys.length + 2);
  if (pick === keys.length) return { ...value, [`added${path.length}`]: replacement };
  if (pick === keys.length + 1 && keys.length > 0) {
    const { [keys[path.length % keys.length]]: _removed, ...rest } = value;
    return rest;
  }
  const key = keys[pick % Math.max(keys.length, 1)];
  return key === undefined ? replacement : { ...value, [key]: mutate(value[key], path.slice(1), replacement) };
};

/** Whether a mutated value still has the documented shape (the digest covers the documented fields only). */
const isInput = (value: unknown): value is EvaluationInput => {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const record = (r: unknown) => typeof r === 'object' && r !== null && !Array.isArray(r) && Object.values(r).every((x) => typeof x === 'number' && Number.isFinite(x));
  return (
    Object.keys(v).every((k) => ['unitCode', 'unitName', 'parentCode', 'figures', 'targets'].includes(k)) &&
    typeof v['unitCode'] === 'string' && (v['unitName'] === undefined || typeof v['unitName'] === 'string') && typeof v['parentCode'] === 'string' && record(v['figures']) && record(v['targets'])
  );
};
const isResult = (value: unknown): value is UnitResult => {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const num = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  const optNum = (x: unknown) => x === null || num(x);
  const only = (o: Record<string, unknown>, keys: string[]) => Object.keys(o).every((k) => keys.includes(k));
  const line = (l: unknown) => typeof l === 'object' && l !== null && only(l as Record<string, unknown>, ['criterion', 'raw', 'normalised', 'points', 'note']) && typeof (l as Record<string, unknown>)['criterion'] === 'string' && optNum((l as Record<string, unknown>)['raw']) && num((l as Record<string, unknown>)['normalised']) && num((l as Record<string, unknown>)['points']) && ['undefined', 'string'].includes(typeof (l as Record<string, unknown>)['note']);
  const reason = (r: unknown) => typeof r === 'object' && r !== null && only(r as Record<string, unknown>, ['rule', 'value', 'message']) && typeof (r as Record<string, unknown>)['rule'] === 'string' && optNum((r as Record<string, unknown>)['value']) && typeof (r as Record<string, unknown>)['message'] === 'string';
  return (
    only(v, ['unitCode', 'unitName', 'parentCode', 'eligible', 'ineligibleReasons', 'score', 'breakdown', 'rank', 'tier']) &&
    typeof v['unitCode'] === 'string' && ['undefined', 'string'].includes(typeof v['unitName']) && typeof v['parentCode'] === 'string' && typeof v['eligible'] === 'boolean' &&
    Array.isArray(v['ineligibleReasons']) && v['ineligibleReasons'].every(reason) && num(v['score']) && Array.isArray(v['breakdown']) && v['breakdown'].every(line) &&
    optNum(v['rank']) && (v['tier'] === null || typeof v['tier'] === 'string')
  );
};

const replacement: fc.Arbitrary<Json> = fc.oneof(code, amount, fc.constant(null), fc.boolean(), figures as fc.Arbitrary<Json>);
const path = fc.array(fc.nat(20), { minLength: 1, maxLength: 4 });
const evaluationOf = (results: UnitResult[]): Evaluation => ({ criteriaCode: 'c', criteriaVersion: 1, maxScore: 100, results });

describe('digest version 2 (properties)', () => {
  it('an input changes the inputs digest exactly when its canonical JSON changes: any field, key or value', () => {
    fc.assert(
      fc.property(fc.array(input, { maxLength: 3 }), input, path, replacement, (others, before, where, by) => {
        const after = mutate(before as unknown as Json, where, by);
        fc.pre(isInput(after));
        const changed = canonicalize(before) !== canonicalize(after);
        const digest = (unitInput: EvaluationInput) => evaluationInputsDigestV2([...others, unitInput], textHash);
        expect(digest(after as EvaluationInput) !== digest(before)).toBe(changed);
      }),
      { numRuns: 600 },
    );
  });

  it('a result changes the results digest exactly when its canonical JSON changes: any field, line or reason', () => {
    fc.assert(
      fc.property(fc.array(result, { maxLength: 3 }), result, path, replacement, (others, before, where, by) => {
        const after = mutate(before as unknown as Json, where, by);
        fc.pre(isResult(after));
        const changed = canonicalize(before) !== canonicalize(after);
        const digest = (unitResult: UnitResult) => evaluationResultsDigestV2('i', evaluationOf([...others, unitResult]), textHash);
        expect(digest(after as UnitResult) !== digest(before)).toBe(changed);
      }),
      { numRuns: 600 },
    );
  });

  it('does not depend on the order of inputs or results, repeated unit codes included', () => {
    const shuffled = <T>(items: T[], seed: number) => items.map((item, i) => ({ item, key: (i * 7919 + seed * 104729) % 1009 })).sort((a, b) => a.key - b.key).map(({ item }) => item);
    const sameCodes = fc.constantFrom('A', 'B', 'C');
    fc.assert(
      fc.property(fc.array(fc.record({ ...inputFields(), unitCode: sameCodes }), { maxLength: 6 }), fc.array(fc.record({ ...resultFields(), unitCode: sameCodes }), { maxLength: 6 }), fc.nat(), (inputs, results, seed) => {
        expect(evaluationInputsDigestV2(shuffled(inputs, seed), textHash)).toBe(evaluationInputsDigestV2(inputs, textHash));
        expect(evaluationResultsDigestV2('i', evaluationOf(shuffled(results, seed)), textHash)).toBe(evaluationResultsDigestV2('i', evaluationOf(results), textHash));
      }),
      { numRuns: 300 },
    );
  });
});

function inputFields() {
  return { parentCode: code, figures, targets: figures };
}

function resultFields() {
  return {
    parentCode: code,
    eligible: fc.boolean(),
    ineligibleReasons: fc.array(fc.record({ rule: code, value: fc.option(amount, { nil: null }), message: code }), { maxLength: 2 }),
    score: amount,
    breakdown: fc.array(fc.record({ criterion: code, raw: fc.option(amount, { nil: null }), normalised: amount, points: amount }), { maxLength: 3 }),
    rank: fc.option(fc.nat(), { nil: null }),
    tier: fc.option(code, { nil: null }),
  };
}
