import type { Comparison, EvaluationInput, Measure } from './criteria-set';

/**
 * A measure compiled once per run: `read` gives the value for a unit, or null when it cannot be
 * measured, and `whyNot` says why in that case. The sentence is built once, not per unit: at 75,000
 * units every allocation in here shows up in the garbage collector.
 */
export interface CompiledMeasure {
  readonly read: (input: EvaluationInput) => number | null;
  readonly whyNot: string;
}

export const compileMeasure = (measure: Measure): CompiledMeasure => {
  if ('indicator' in measure) {
    const { indicator } = measure;
    return { read: (input) => input.figures[indicator] ?? 0, whyNot: '' };
  }
  if ('ratio' in measure) {
    const { numerator, denominator, per = 1 } = measure.ratio;
    return {
      read: (input) => {
        const below = input.figures[denominator] ?? 0;
        return below === 0 ? null : ((input.figures[numerator] ?? 0) / below) * per;
      },
      whyNot: `${denominator} is 0, so the ratio cannot be measured`,
    };
  }
  const { indicator } = measure.attainment;
  return {
    read: (input) => {
      const target = input.targets[indicator];
      return target === undefined || target <= 0 ? null : (input.figures[indicator] ?? 0) / target;
    },
    whyNot: `no target for ${indicator} in the period`,
  };
};

export const compare = (value: number, op: Comparison, threshold: number): boolean => {
  switch (op) {
    case '>=':
      return value >= threshold;
    case '>':
      return value > threshold;
    case '<=':
      return value <= threshold;
    case '<':
      return value < threshold;
    case '==':
      return value === threshold;
    default: {
      const _exhaustive: never = op;
      return _exhaustive;
    }
  }
};
