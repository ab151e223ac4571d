export * from './lib/vocabulary';
export * from './lib/activity-payloads';
export * from './lib/activity';
