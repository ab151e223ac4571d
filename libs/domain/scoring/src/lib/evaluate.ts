import type { CriteriaSet, Evaluation, EvaluationInput } from './criteria-set';

/** Scores, explains, ranks and awards every unit; the same set and inputs give the same Evaluation, whatever the input order. */
export const evaluate = (_set: CriteriaSet, _inputs: readonly EvaluationInput[]): Evaluation => {
  throw new Error('not implemented yet');
};
