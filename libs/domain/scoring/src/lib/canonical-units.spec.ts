import fc from 'fast-check';
import canonicalize from 'canonicalize';
import { canonicalInput, canonicalResult } from './canonical-units';
import type { EvaluationInput, UnitResult } from './criteria-set';
import { evaluate } from './evaluate';
import { criteriaSet, criterion } from './scoring.fixtures';

const code = fc.string({ unit: 'binary', maxLength: 12 });
const amount = fc.oneof(fc.integer({ min: -1e6, max: 1e9 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
const figures = fc.dictionary(code, amount, { maxKeys: 12 });

const input: fc.Arbitrary<EvaluationInput> = fc.record(
  { unitCode: code, unitName: code, parentCode: code, figures, targets: figures },
  { requiredKeys: ['unitCode', 'parentCode', 'figures', 'targets'] },
);

const result: fc.Arbitrary<UnitResult> = fc.record(
  {
    unitCode: code,
    unitName: code,
    parentCode: code,
    eligible: fc.boolean(),
    ineligibleReasons: fc.array(fc.record({ rule: code, value: fc.option(amount, { nil: null }), message: code }), { maxLength: 3 }),
    score: amount,
    breakdown: fc.array(
      fc.record({ criterion: code, raw: fc.option(amount, { nil: null }), normalised: amount, points: amount, note: code }, { requiredKeys: ['criterion', 'raw', 'normalised', 'points'] }),
      { maxLength: 5 },
    ),
    rank: fc.option(fc.nat(), { nil: null }),
    tier: fc.option(code, { nil: null }),
  },
  { requiredKeys: ['unitCode', 'parentCode', 'eligible', 'ineligibleReasons', 'score', 'breakdown', 'rank', 'tier'] },
);

describe('canonical unit lines', () => {
  it('write exactly what canonicalize (RFC 8785) writes for any input and result, odd strings and numbers included', () => {
    fc.assert(fc.property(input, (value) => expect(canonicalInput(value)).toBe(canonicalize(value))), { numRuns: 500 });
    fc.assert(fc.property(result, (value) => expect(canonicalResult(value)).toBe(canonicalize(value))), { numRuns: 500 });
  });

  it('write what canonicalize writes for real results', () => {
    const set = criteriaSet({ criteria: [criterion({ code: 'visits' }), criterion({ code: 'vneid', measure: { attainment: { indicator: 'app-install.vneid' } }, rule: { kind: 'proportional', cap: 1 } })] });
    const evaluation = evaluate(set, [{ unitCode: 'T1', unitName: 'Tổ "Hạ"', parentCode: '01', figures: { 'household-visits': 120 }, targets: {} }]);
    expect(canonicalResult(evaluation.results[0])).toBe(canonicalize(evaluation.results[0]));
  });

  it('sorts every record, when records repeat the last one\'s keys, reorder them, or add one', () => {
    const shapes: Record<string, number>[] = [{ b: 1, a: 2 }, { b: 3, a: 4 }, { a: 5, b: 6 }, { b: 7, a: 8, c: 9 }, { b: 1, a: 2 }, {}];
    for (const figures of shapes) {
      for (const targets of shapes) {
        const value: EvaluationInput = { unitCode: 'T1', parentCode: '01', figures, targets };
        expect(canonicalInput(value)).toBe(canonicalize(value));
      }
    }
  });

  it('refuses a number JSON cannot hold', () => {
    expect(() => canonicalInput({ unitCode: 'T1', parentCode: '01', figures: { x: Number.NaN }, targets: {} })).toThrow('NaN cannot be written as canonical JSON');
  });
});
