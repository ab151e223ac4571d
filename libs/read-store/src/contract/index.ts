export * from './read-store-contract';
export * from './model2-store-contract';
