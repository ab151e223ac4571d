export * from './lib/given-when-then';
export * from './lib/engines';
