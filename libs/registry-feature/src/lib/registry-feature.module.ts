import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AssignUnitTargetHandler } from './assign-target/assign-target.handler';
import { RegisterTeamFactHandler } from './register-team-fact/register-team-fact.handler';
import { TeamDirectory } from './team-directory/team-directory';

/** Registry writes (teams, members, targets). Needs EVENT_STORE from EventStoreModule. */
@Module({
  imports: [CqrsModule],
  providers: [RegisterTeamFactHandler, AssignUnitTargetHandler, TeamDirectory],
  exports: [TeamDirectory],
})
export class RegistryFeatureModule {}
