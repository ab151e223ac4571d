export * from './lib/domain-error';
export * from './lib/domain-event';
export * from './lib/ids';
export * from './lib/time';
export * from './lib/periods';
export * from './lib/streams';
export * from './lib/refs';
export * from './lib/validation';
