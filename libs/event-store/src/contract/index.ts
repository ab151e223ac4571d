// The event-store contract: every adapter's *.int.spec.ts runs this one suite.
export * from './event-store-contract';
