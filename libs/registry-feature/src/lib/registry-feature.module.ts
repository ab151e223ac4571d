import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AssignUnitTargetHandler } from './assign-target/assign-target.handler';
import { ReformController } from './reform/reform.controller';
import { ReformProposals } from './reform/reform-proposals';
import { RegisterTeamFactHandler } from './register-team-fact/register-team-fact.handler';
import { TeamDirectory } from './team-directory/team-directory';
import { TeamsByCommune } from './team-index/teams-by-commune';
import { TargetsController } from './targets-http/targets.controller';
import { TeamAccess } from './teams-http/team-access';
import { TeamsController } from './teams-http/teams.controller';
import { ADMIN_UNITS, adminUnitsProvider } from './units/admin-units.provider';
import { UnitsController } from './units-http/units.controller';

/**
 * Registry writes under /v1 (teams, members, targets, the 2025 reform helper), the units as of a day,
 * and the state they leave. Needs EVENT_STORE (EventStoreModule) and the platform's global guard, pipe
 * and filter (PlatformModule).
 */
@Module({
  imports: [CqrsModule],
  controllers: [TeamsController, TargetsController, UnitsController, ReformController],
  providers: [RegisterTeamFactHandler, AssignUnitTargetHandler, TeamDirectory, TeamAccess, TeamsByCommune, ReformProposals, adminUnitsProvider],
  exports: [TeamDirectory, TeamAccess, TeamsByCommune, ADMIN_UNITS],
})
export class RegistryFeatureModule {}
