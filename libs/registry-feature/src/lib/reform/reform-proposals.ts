import { Inject, Injectable } from '@nestjs/common';
import { REFORM_DATE, proposeRelocation, type AdminUnits, type RelocationTarget } from '@cdt/admin-units';
import { currentUnit, type EstablishedTeam } from '@cdt/domain-registry';
import { DomainError } from '@cdt/domain-shared';
import { ProblemError, assertUnitAccess, type Principal } from '@cdt/platform';
import { TeamsByCommune } from '../team-index/teams-by-commune';
import { TeamAccess } from '../teams-http/team-access';
import { ADMIN_UNITS, todaysPlaceOf, unitNotFound } from '../units/admin-units.provider';

export type ReformProposalView =
  | { kind: 'whole'; to: RelocationTarget }
  | { kind: 'partial'; candidates: readonly RelocationTarget[] }
  | { kind: 'unknown'; detail: string };

export interface TeamReformProposal {
  teamId: string;
  /** The pre-2025 commune the team is still registered in, since `since`. */
  communeCode: string;
  communeName: string;
  districtCode: string;
  village: string;
  since: string;
  proposal: ReformProposalView;
}

/** What a confirmation appends: the reform relocation, dated the day the old commune ceased. */
export interface ReformRelocation {
  teamId: string;
  communeCode: string;
  village: string;
  on: string;
  version: number;
}

const UNKNOWN_DETAIL =
  'the official mapping names no 2025 successor for this commune (it ceased before the packages’ snapshot, or is missing from the mapping): relocate the team by hand with POST /v1/teams/{teamId}/relocate';

const problem = (status: number, code: string, detail: string, field: string): ProblemError => new ProblemError({ status, code, detail, field });

/**
 * The 2025 reform helper: which active teams still sit in a commune that ceased on 2025-07-01, where
 * the official mapping sends each, and the checks before an officer's choice becomes a TeamRelocated.
 * Teams are placed in today's provinces the way TeamAccess scopes them (a split commune by its primary
 * successor), so an officer sees exactly the teams it may confirm.
 */
@Injectable()
export class ReformProposals {
  constructor(
    private readonly teamsByCommune: TeamsByCommune,
    private readonly access: TeamAccess,
    @Inject(ADMIN_UNITS) private readonly units: AdminUnits,
  ) {}

  async list(principal: Principal, provinceCode: string): Promise<TeamReformProposal[]> {
    const province = this.units.unit(provinceCode, REFORM_DATE);
    if (province?.level !== 'province') throw unitNotFound('provinceCode', provinceCode, REFORM_DATE);
    if (principal.role === 'officer' && principal.provinceCode !== provinceCode) {
      throw problem(403, 'OUT_OF_SCOPE', `an officer of province ${principal.provinceCode} may not reach province ${provinceCode}`, 'provinceCode');
    }
    const proposals: TeamReformProposal[] = [];
    for (const [communeCode, teams] of await this.teamsByCommune.activeTeamsByCommune('pre-2025')) {
      const commune = this.units.unitIn('pre-2025', communeCode);
      for (const team of teams) {
        const place = todaysPlaceOf(this.units, communeCode, currentUnit(team).from);
        if (place.provinceCode !== provinceCode) continue;
        // A commune-bound officer sees the teams it could open with GET /v1/teams/{teamId}.
        if (principal.role === 'officer' && principal.communeCode !== undefined && principal.communeCode !== place.communeCode) continue;
        proposals.push(this.proposalFor(team, commune?.name ?? '', commune?.parentCode ?? ''));
      }
    }
    return proposals.sort((a, b) => a.communeCode.localeCompare(b.communeCode) || a.teamId.localeCompare(b.teamId));
  }

  /**
   * Checks an officer's choice and says what to record. The move is dated 2025-07-01, the day the old
   * commune ceased, whenever it is confirmed: from that day on the team's facts belong to the new one.
   */
  async relocationFor(principal: Principal, teamId: string, choice: { communeCode: string; village?: string }): Promise<ReformRelocation> {
    const { team, version } = await this.access.teamFor(principal, teamId);
    if (team.status === 'dissolved') throw new DomainError('TEAM_DISSOLVED', `team ${teamId} was dissolved on ${team.dissolvedOn}`, 'teamId');
    const unit = currentUnit(team);
    const proposal = proposeRelocation({ communeCode: unit.communeCode, since: unit.from }, this.units);
    switch (proposal.kind) {
      case 'none':
        throw problem(409, 'ALREADY_ON_2025_COMMUNE', `team ${teamId} is registered in 2025 commune ${unit.communeCode} since ${unit.from}: there is nothing to confirm`, 'teamId');
      case 'unknown':
        throw problem(422, 'NO_REFORM_SUCCESSOR', `commune ${unit.communeCode}: ${UNKNOWN_DETAIL.replace('{teamId}', teamId)}`, 'teamId');
      case 'whole':
      case 'partial':
        break;
      default: {
        const unknownKind: never = proposal;
        throw new Error(`unknown proposal ${JSON.stringify(unknownKind)}`);
      }
    }
    const candidates = proposal.kind === 'whole' ? [proposal.to] : proposal.candidates;
    const chosen = candidates.find((candidate) => candidate.communeCode === choice.communeCode);
    if (!chosen) {
      const listed = candidates.map((c) => `${c.communeCode} (${c.communeName})`).join(', ');
      throw problem(422, 'NOT_A_REFORM_SUCCESSOR', `commune ${choice.communeCode} is not a successor of ${unit.communeCode} in the official mapping; choose one of ${listed}`, 'communeCode');
    }
    // As for any relocation, the officer must reach the commune the team moves to.
    assertUnitAccess(principal, { provinceCode: chosen.provinceCode, communeCode: chosen.communeCode }, { provinceCode: 'communeCode', communeCode: 'communeCode' });
    const village = choice.village ?? unit.village;
    return { teamId, communeCode: chosen.communeCode, village, on: REFORM_DATE, version };
  }

  private proposalFor(team: EstablishedTeam, communeName: string, districtCode: string): TeamReformProposal {
    const unit = currentUnit(team);
    const proposal = proposeRelocation({ communeCode: unit.communeCode, since: unit.from }, this.units);
    const view: ReformProposalView =
      proposal.kind === 'whole' || proposal.kind === 'partial' ? proposal : { kind: 'unknown', detail: UNKNOWN_DETAIL.replace('{teamId}', team.teamId) };
    return { teamId: team.teamId, communeCode: unit.communeCode, communeName, districtCode, village: unit.village, since: unit.from, proposal: view };
  }
}
