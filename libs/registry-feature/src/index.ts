export * from './lib/registry-feature.module';
export * from './lib/write-side/write-context';
export * from './lib/write-side/decide-and-append';
export * from './lib/team-directory/team-directory';
export * from './lib/register-team-fact/register-team-fact.command';
export * from './lib/assign-target/assign-target.command';
export * from './lib/units/admin-units.provider';
export * from './lib/teams-http/team-access';
