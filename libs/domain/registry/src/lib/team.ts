import {
  DomainError,
  SCHEMA_VERSION_1,
  requireBoolean,
  requireCalendarDate,
  requireId,
  requireOneOf,
  requireReason,
  sameUnitHierarchy,
  type DomainEvent,
} from '@cdt/domain-shared';
import { currentLeaderId, currentMember, currentUnit } from './team-queries';
import {
  RELOCATION_REASONS,
  TEAM_ROLES,
  normaliseVillage,
  requireCommuneCode,
  type RelocationReason,
  type TeamRole,
} from './vocabulary';

/**
 * The team aggregate (stream `team-<teamId>`): establishment, membership, relocation, dissolution.
 * Every fact carries the Vietnam calendar day it took effect (`on`, YYYY-MM-DD), so the activity
 * decider can ask "was m1 in this team, and where was the team, on the day of the visit?".
 */

// ── events ────────────────────────────────────────────────────────────────────────────────────────
export type TeamEstablished = DomainEvent<
  'TeamEstablished',
  { teamId: string; communeCode: string; village: string; on: string }
>;
export type MemberJoined = DomainEvent<
  'MemberJoined',
  { teamId: string; memberId: string; role: TeamRole; youthUnion: boolean; on: string }
>;
/** `on` is the member's last day in the team: activities dated that day still count. */
export type MemberLeft = DomainEvent<'MemberLeft', { teamId: string; memberId: string; on: string }>;
export type MemberRoleChanged = DomainEvent<
  'MemberRoleChanged',
  { teamId: string; memberId: string; role: TeamRole; youthUnion: boolean; on: string }
>;
/** Carries the unit it moved from, so a projection can re-attribute without reading the stream. */
export type TeamRelocated = DomainEvent<
  'TeamRelocated',
  {
    teamId: string;
    fromCommuneCode: string;
    fromVillage: string;
    communeCode: string;
    village: string;
    reason: RelocationReason;
    on: string;
  }
>;
/** Takes effect on `on`: activities dated that day or later are refused. */
export type TeamDissolved = DomainEvent<'TeamDissolved', { teamId: string; reason: string; on: string }>;

export type TeamEvent =
  | TeamEstablished
  | MemberJoined
  | MemberLeft
  | MemberRoleChanged
  | TeamRelocated
  | TeamDissolved;

const TEAM_EVENT_TYPES: Record<TeamEvent['type'], true> = {
  TeamEstablished: true,
  MemberJoined: true,
  MemberLeft: true,
  MemberRoleChanged: true,
  TeamRelocated: true,
  TeamDissolved: true,
};

/** Lets a fold over several streams (a team's registry facts and its activities) route each event. */
export const isTeamEvent = (event: { type: string }): event is TeamEvent => Object.hasOwn(TEAM_EVENT_TYPES, event.type);

// ── state ─────────────────────────────────────────────────────────────────────────────────────────
export interface MembershipPeriod {
  readonly joinedOn: string;
  /** Last day in the team, inclusive; absent while the member is in the team. */
  readonly leftOn?: string;
}

export interface TeamMember {
  readonly memberId: string;
  readonly role: TeamRole;
  readonly youthUnion: boolean;
  /** Oldest first; a member who left and came back has several. */
  readonly periods: readonly MembershipPeriod[];
}

export interface UnitAssignment {
  readonly communeCode: string;
  readonly village: string;
  /** First day the team belongs to this unit. */
  readonly from: string;
}

export interface EstablishedTeam {
  readonly status: 'active' | 'dissolved';
  readonly teamId: string;
  readonly establishedOn: string;
  readonly dissolvedOn?: string;
  /** Oldest first; the first is where the team was established. */
  readonly units: readonly UnitAssignment[];
  readonly members: Readonly<Record<string, TeamMember>>;
}

export type TeamState = { readonly status: 'none' } | EstablishedTeam;

export const initialTeamState: TeamState = { status: 'none' };

// ── evolve ────────────────────────────────────────────────────────────────────────────────────────
const withMember = (team: EstablishedTeam, member: TeamMember): EstablishedTeam => ({
  ...team,
  members: { ...team.members, [member.memberId]: member },
});

const closeLastPeriod = (periods: readonly MembershipPeriod[], leftOn: string): MembershipPeriod[] =>
  periods.map((period, index) => (index === periods.length - 1 ? { ...period, leftOn } : period));

export const evolveTeam = (state: TeamState, event: TeamEvent): TeamState => {
  if (event.type === 'TeamEstablished') {
    const { teamId, communeCode, village, on } = event.data;
    return { status: 'active', teamId, establishedOn: on, units: [{ communeCode, village, from: on }], members: {} };
  }
  // Only a stream that starts with TeamEstablished is a team; anything else is ignored, not invented.
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'MemberJoined': {
      const { memberId, role, youthUnion, on } = event.data;
      const previous = state.members[memberId]?.periods ?? [];
      return withMember(state, { memberId, role, youthUnion, periods: [...previous, { joinedOn: on }] });
    }
    case 'MemberLeft': {
      const member = state.members[event.data.memberId];
      if (!member) return state;
      return withMember(state, { ...member, periods: closeLastPeriod(member.periods, event.data.on) });
    }
    case 'MemberRoleChanged': {
      const member = state.members[event.data.memberId];
      if (!member) return state;
      return withMember(state, { ...member, role: event.data.role, youthUnion: event.data.youthUnion });
    }
    case 'TeamRelocated': {
      const { communeCode, village, on } = event.data;
      return { ...state, units: [...state.units, { communeCode, village, from: on }] };
    }
    case 'TeamDissolved':
      return { ...state, status: 'dissolved', dissolvedOn: event.data.on };
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
};

// ── commands ──────────────────────────────────────────────────────────────────────────────────────
export interface EstablishTeam {
  type: 'EstablishTeam';
  teamId: string;
  communeCode: string;
  village: string;
  on: string;
}
export interface AddMember {
  type: 'AddMember';
  teamId: string;
  memberId: string;
  role: TeamRole;
  youthUnion: boolean;
  on: string;
}
export interface RemoveMember {
  type: 'RemoveMember';
  teamId: string;
  memberId: string;
  on: string;
}
export interface ChangeMemberRole {
  type: 'ChangeMemberRole';
  teamId: string;
  memberId: string;
  role: TeamRole;
  youthUnion: boolean;
  on: string;
}
export interface RelocateTeam {
  type: 'RelocateTeam';
  teamId: string;
  communeCode: string;
  village: string;
  reason: RelocationReason;
  on: string;
}
export interface DissolveTeam {
  type: 'DissolveTeam';
  teamId: string;
  reason: string;
  on: string;
}

export type TeamCommand = EstablishTeam | AddMember | RemoveMember | ChangeMemberRole | RelocateTeam | DissolveTeam;

// ── decide ────────────────────────────────────────────────────────────────────────────────────────
const activeTeam = (state: TeamState): EstablishedTeam => {
  if (state.status === 'none') throw new DomainError('TEAM_NOT_FOUND', 'no such team', 'teamId');
  if (state.status === 'dissolved') {
    throw new DomainError('TEAM_DISSOLVED', `team ${state.teamId} was dissolved on ${state.dissolvedOn}`, 'teamId');
  }
  return state;
};

/** Registry facts are recorded in date order, so membership and unit history stay a clean timeline. */
const requireNotBefore = (on: string, earliest: string, what: string): void => {
  if (on < earliest) throw new DomainError('DATE_OUT_OF_ORDER', `on must not be before ${what} (${earliest})`, 'on');
};

const refuseSecondLeader = (team: EstablishedTeam, role: TeamRole, memberId: string): void => {
  const leader = currentLeaderId(team);
  if (role === 'leader' && leader !== undefined && leader !== memberId) {
    throw new DomainError('TEAM_ALREADY_HAS_LEADER', `member ${leader} already leads this team`, 'role');
  }
};

const event = <E extends TeamEvent>(type: E['type'], data: E['data']): E =>
  ({ type, schemaVersion: SCHEMA_VERSION_1, data }) as E;

export const decideTeam = (command: TeamCommand, state: TeamState): TeamEvent[] => {
  const teamId = requireId(command.teamId, 'teamId');
  const on = requireCalendarDate(command.on, 'on');
  switch (command.type) {
    case 'EstablishTeam': {
      if (state.status !== 'none') throw new DomainError('TEAM_ALREADY_ESTABLISHED', `team ${teamId} exists`, 'teamId');
      const communeCode = requireCommuneCode(command.communeCode);
      const village = normaliseVillage(command.village);
      return [event<TeamEstablished>('TeamEstablished', { teamId, communeCode, village, on })];
    }
    case 'AddMember': {
      const team = activeTeam(state);
      const memberId = requireId(command.memberId, 'memberId');
      const role = requireOneOf(TEAM_ROLES, command.role, 'role');
      const youthUnion = requireBoolean(command.youthUnion, 'youthUnion');
      if (currentMember(team, memberId)) {
        throw new DomainError('MEMBER_ALREADY_IN_TEAM', `member ${memberId} is already in the team`, 'memberId');
      }
      requireNotBefore(on, team.establishedOn, 'the team was established');
      const lastLeft = team.members[memberId]?.periods.at(-1)?.leftOn;
      if (lastLeft !== undefined && on <= lastLeft) {
        throw new DomainError('DATE_OUT_OF_ORDER', `on must be after the member last left (${lastLeft})`, 'on');
      }
      refuseSecondLeader(team, role, memberId);
      return [event<MemberJoined>('MemberJoined', { teamId, memberId, role, youthUnion, on })];
    }
    case 'RemoveMember': {
      const team = activeTeam(state);
      const memberId = requireId(command.memberId, 'memberId');
      const member = currentMember(team, memberId);
      if (!member) throw new DomainError('MEMBER_NOT_IN_TEAM', `member ${memberId} is not in the team`, 'memberId');
      requireNotBefore(on, member.periods.at(-1)?.joinedOn ?? team.establishedOn, 'the member joined');
      return [event<MemberLeft>('MemberLeft', { teamId, memberId, on })];
    }
    case 'ChangeMemberRole': {
      const team = activeTeam(state);
      const memberId = requireId(command.memberId, 'memberId');
      const role = requireOneOf(TEAM_ROLES, command.role, 'role');
      const youthUnion = requireBoolean(command.youthUnion, 'youthUnion');
      const member = currentMember(team, memberId);
      if (!member) throw new DomainError('MEMBER_NOT_IN_TEAM', `member ${memberId} is not in the team`, 'memberId');
      requireNotBefore(on, member.periods.at(-1)?.joinedOn ?? team.establishedOn, 'the member joined');
      if (member.role === role && member.youthUnion === youthUnion) return [];
      refuseSecondLeader(team, role, memberId);
      return [event<MemberRoleChanged>('MemberRoleChanged', { teamId, memberId, role, youthUnion, on })];
    }
    case 'RelocateTeam': {
      const team = activeTeam(state);
      const communeCode = requireCommuneCode(command.communeCode);
      const village = normaliseVillage(command.village);
      const reason = requireOneOf(RELOCATION_REASONS, command.reason, 'reason');
      const from = currentUnit(team);
      // Same code and village in the same hierarchy is where the team already is. Across the reform
      // day the same code names another commune (00004: Trúc Bạch, then Ba Đình): that is a move.
      if (from.communeCode === communeCode && from.village === village && sameUnitHierarchy(from.from, on)) return [];
      requireNotBefore(on, from.from, 'the team moved to its current unit');
      return [
        event<TeamRelocated>('TeamRelocated', {
          teamId,
          fromCommuneCode: from.communeCode,
          fromVillage: from.village,
          communeCode,
          village,
          reason,
          on,
        }),
      ];
    }
    case 'DissolveTeam': {
      const team = activeTeam(state);
      const reason = requireReason(command.reason);
      requireNotBefore(on, team.establishedOn, 'the team was established');
      return [event<TeamDissolved>('TeamDissolved', { teamId, reason, on })];
    }
    default: {
      const _exhaustive: never = command;
      throw new DomainError('INVALID_VALUE', `unknown command ${JSON.stringify(_exhaustive)}`, 'type');
    }
  }
};

export const teamDecider = { decide: decideTeam, evolve: evolveTeam, initialState: initialTeamState };
