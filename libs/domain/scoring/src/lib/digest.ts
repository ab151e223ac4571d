import type { CriteriaSet, Evaluation, EvaluationInput, HashFactory } from './criteria-set';

/** RFC 8785 canonical JSON of a set: what its checksum covers (key order of the source is irrelevant). */
export const canonicalCriteriaSet = (_set: CriteriaSet): string => {
  throw new Error('not implemented yet');
};

/** sha-256 hex of `canonicalCriteriaSet(set)`. */
export const criteriaChecksum = (_set: CriteriaSet, _newHash: HashFactory): string => {
  throw new Error('not implemented yet');
};

/** sha-256 hex over the canonical inputs (by unitCode) and results of a run, fed unit by unit. */
export const evaluationDigest = (_inputs: readonly EvaluationInput[], _evaluation: Evaluation, _newHash: HashFactory): string => {
  throw new Error('not implemented yet');
};

/** The first difference between two evaluations, naming unit, criterion and field; undefined when identical. */
export const firstDifference = (_a: Evaluation, _b: Evaluation): string | undefined => {
  throw new Error('not implemented yet');
};

/** The first difference between two input lists (by unitCode), naming unit, figure or target; undefined when identical. */
export const firstInputDifference = (_a: readonly EvaluationInput[], _b: readonly EvaluationInput[]): string | undefined => {
  throw new Error('not implemented yet');
};
