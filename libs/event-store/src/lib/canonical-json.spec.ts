import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('writes exactly what the canonicalize package writes, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees on the awkward cases: key order by code unit, -0, exponents, undefined, toJSON, escapes', () => {
    const awkward = [
      { b: 1, a: [undefined, null, -0, 1e21, 1e-7, 0.1 + 0.2], é: 'x', '€': 'y', '\u{1F600}': 'z', Z: { gone: undefined } },
      [new Date(Date.UTC(2025, 6, 1)), { toJSON: () => ({ y: 2, x: 1 }) }],
      'line\nbreak "quoted" \u2028 \ud800',
      { '': 0, ' ': 1, '10': 2, '9': 3 },
    ];
    for (const value of awkward) expect(canonicalJson(value)).toBe(canonicalize(value));
  });

  it('refuses what JSON cannot say, as the package does', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow('NaN is not allowed');
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow('Infinity is not allowed');
  });
});
