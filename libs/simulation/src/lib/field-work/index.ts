export * from './seeded-random';
export * from './field-work';
