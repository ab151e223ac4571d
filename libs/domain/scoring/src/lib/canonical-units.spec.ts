import fc from 'fast-check';
import canonicalize from 'canonicalize';
import { canonicalInput, canonicalResult } from './canonical-units';
import type { EvaluationInput } from './criteria-set';
import { evaluate } from './evaluate';
import { criteriaSet, criterion } from './scoring.fixtures';
import { unitArbitraries } from './unit-arbitraries.fixtures';

const { input, result } = unitArbitraries({ codeLength: 12, maxKeys: 12, maxLines: 5 });

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
