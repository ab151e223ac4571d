export * from './lib/merkle';
export * from './lib/seal';
export { readSeals, readRange, ZERO_HASH_HEX } from './lib/ledger-log';
export type { StoredSeal } from './lib/ledger-log';
export * from './lib/sealer';
export * from './lib/ledger-sealer.module';
export * from './lib/proof';
export * from './lib/verifier';
