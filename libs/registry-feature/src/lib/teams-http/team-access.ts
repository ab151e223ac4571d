import { Inject, Injectable } from '@nestjs/common';
import type { AdminUnits } from '@cdt/admin-units';
import { DomainError } from '@cdt/domain-shared';
import { currentUnit, type EstablishedTeam } from '@cdt/domain-registry';
import { assertTeamAccess, type Principal } from '@cdt/platform';
import { TeamDirectory } from '../team-directory/team-directory';
import { ADMIN_UNITS, todaysPlaceOf } from '../units/admin-units.provider';

/** Loads a team for a caller: 404 when there is none, 403 OUT_OF_SCOPE when it is not the caller's. */
@Injectable()
export class TeamAccess {
  constructor(
    private readonly teams: TeamDirectory,
    @Inject(ADMIN_UNITS) private readonly units: AdminUnits,
  ) {}

  async teamFor(principal: Principal, teamId: string): Promise<{ team: EstablishedTeam; version: number }> {
    const { state, version } = await this.teams.load(teamId);
    if (state.status === 'none') throw new DomainError('TEAM_NOT_FOUND', `no team ${teamId}`, 'teamId');
    const unit = currentUnit(state);
    assertTeamAccess(principal, teamId, todaysPlaceOf(this.units, unit.communeCode, unit.from));
    return { team: state, version };
  }
}
