import fc from 'fast-check';
import type { EvaluationInput, UnitResult } from './criteria-set';

/**
 * Random evaluation inputs and unit results with odd strings (any UTF-16, lone surrogates included) and
 * numbers (negative, fractional, huge), for the properties of the canonical lines and the digests.
 */
export const unitArbitraries = ({ codeLength, maxKeys, maxLines }: { codeLength: number; maxKeys: number; maxLines: number }) => {
  const code = fc.string({ unit: 'binary', maxLength: codeLength });
  const amount = fc.oneof(fc.integer({ min: -1e6, max: 1e9 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
  const figures = fc.dictionary(code, amount, { maxKeys });
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
        { maxLength: maxLines },
      ),
      rank: fc.option(fc.nat(), { nil: null }),
      tier: fc.option(code, { nil: null }),
    },
    { requiredKeys: ['unitCode', 'parentCode', 'eligible', 'ineligibleReasons', 'score', 'breakdown', 'rank', 'tier'] },
  );
  return { code, amount, figures, input, result };
};
