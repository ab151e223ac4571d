export * from './lib/criteria-set';
export * from './lib/validate-criteria-set';
export { requiredIndicators, requiredTargets } from './lib/indicators';
export { evaluate, maxScoreOf } from './lib/evaluate';
export * from './lib/digest';
export { evaluationDigestsV2, evaluationInputsDigestV2, evaluationResultsDigestV2 } from './lib/digest-v2';
