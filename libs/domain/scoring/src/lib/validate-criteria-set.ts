import type { CriteriaSet, CriteriaValidation } from './criteria-set';

/** Checks a raw (parsed JSON) criteria set; every problem names its path, its criterion and what is wrong. */
export const validateCriteriaSet = (_raw: unknown): CriteriaValidation => {
  throw new Error('not implemented yet');
};

/** The indicator codes a set reads from `EvaluationInput.figures` (sorted). */
export const requiredIndicators = (_set: CriteriaSet): string[] => {
  throw new Error('not implemented yet');
};

/** The indicator codes a set reads from `EvaluationInput.targets` (sorted). */
export const requiredTargets = (_set: CriteriaSet): string[] => {
  throw new Error('not implemented yet');
};
