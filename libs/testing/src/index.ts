export * from './lib/given-when-then';
export * from './lib/engines';
export * from './lib/crashing-mongo';
