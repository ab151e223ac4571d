export * from './lib/criteria-set';
export * from './lib/validate-criteria-set';
export * from './lib/evaluate';
export * from './lib/digest';
