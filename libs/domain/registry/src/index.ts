export * from './lib/vocabulary';
export * from './lib/team';
export * from './lib/team-queries';
export * from './lib/unit-targets';
