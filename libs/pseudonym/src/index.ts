export * from './lib/pseudonymous-ref';
