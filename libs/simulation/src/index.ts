export * from './lib/field-work';
