import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AssignUnitTargetHandler } from './assign-target/assign-target.handler';
import { RegisterTeamFactHandler } from './register-team-fact/register-team-fact.handler';
import { TeamDirectory } from './team-directory/team-directory';
import { TargetsController } from './targets-http/targets.controller';
import { TeamAccess } from './teams-http/team-access';
import { TeamsController } from './teams-http/teams.controller';
import { ADMIN_UNITS, adminUnitsProvider } from './units/admin-units.provider';

/**
 * Registry writes under /v1 (teams, members, targets) and the state they leave. Needs EVENT_STORE
 * (EventStoreModule) and the platform's global guard, pipe and filter (PlatformModule).
 */
@Module({
  imports: [CqrsModule],
  controllers: [TeamsController, TargetsController],
  providers: [RegisterTeamFactHandler, AssignUnitTargetHandler, TeamDirectory, TeamAccess, adminUnitsProvider],
  exports: [TeamDirectory, TeamAccess, ADMIN_UNITS],
})
export class RegistryFeatureModule {}
