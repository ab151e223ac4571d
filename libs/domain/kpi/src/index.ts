export * from './lib/catalog';
export * from './lib/units';
export * from './lib/deltas';
export * from './lib/projector';
export * from './lib/figures';
export * from './lib/in-memory-read-model';
