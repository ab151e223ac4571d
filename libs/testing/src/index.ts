export * from './lib/given-when-then';
