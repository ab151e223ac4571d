import { vietnamDate } from '@cdt/domain-shared';
import type { EstablishedTeam, TeamMember, TeamState, UnitAssignment } from './team';

/**
 * Questions asked of a team's state. Dates are Vietnam calendar days; a timestamp is accepted too and
 * judged on its day in Vietnam (+07:00), whatever offset the device sent.
 */

const lastPeriod = (member: TeamMember) => member.periods.at(-1);

/** The member while they are in the team now (their latest period is still open). */
export const currentMember = (team: EstablishedTeam, memberId: string): TeamMember | undefined => {
  const member = team.members[memberId];
  return member && lastPeriod(member)?.leftOn === undefined ? member : undefined;
};

export const currentMembers = (team: EstablishedTeam): TeamMember[] =>
  Object.values(team.members).filter((member) => lastPeriod(member)?.leftOn === undefined);

export const currentLeaderId = (team: EstablishedTeam): string | undefined =>
  currentMembers(team).find((member) => member.role === 'leader')?.memberId;

/** Joined on or before that day and not left before it (the day they leave still counts). */
export const isMemberOn = (state: TeamState, memberId: string, dateOrTimestamp: string): boolean => {
  if (state.status === 'none') return false;
  const day = vietnamDate(dateOrTimestamp);
  return (state.members[memberId]?.periods ?? []).some(
    (period) => period.joinedOn <= day && (period.leftOn === undefined || day <= period.leftOn),
  );
};

export const memberIdsOn = (state: TeamState, dateOrTimestamp: string): string[] =>
  state.status === 'none'
    ? []
    : Object.keys(state.members).filter((memberId) => isMemberOn(state, memberId, dateOrTimestamp));

/** Established on or before that day, and not dissolved on or before it. */
export const isActiveOn = (state: TeamState, dateOrTimestamp: string): boolean => {
  if (state.status === 'none') return false;
  const day = vietnamDate(dateOrTimestamp);
  return state.establishedOn <= day && (state.dissolvedOn === undefined || day < state.dissolvedOn);
};

export const currentUnit = (team: EstablishedTeam): UnitAssignment => team.units[team.units.length - 1];

/** The unit the team belonged to on that day: facts are attributed to it, not to today's unit. */
export const unitOn = (state: TeamState, dateOrTimestamp: string): UnitAssignment | undefined => {
  if (state.status === 'none') return undefined;
  const day = vietnamDate(dateOrTimestamp);
  return [...state.units].reverse().find((unit) => unit.from <= day);
};

// ── composition (a reporting concern, never a reason to refuse a command) ───────────────────────────
export interface TeamSizeRule {
  readonly minimum: number;
  readonly maximum?: number;
}

/** 4–9 members; Đà Nẵng (province 48) asks for at least 7 and sets no upper bound. */
export const DEFAULT_TEAM_SIZE_RULE: TeamSizeRule = { minimum: 4, maximum: 9 };
export const TEAM_SIZE_RULES_BY_PROVINCE: Readonly<Record<string, TeamSizeRule>> = { '48': { minimum: 7 } };

export type TeamCompositionIssue =
  | { readonly code: 'TOO_FEW_MEMBERS'; readonly members: number; readonly minimum: number }
  | { readonly code: 'TOO_MANY_MEMBERS'; readonly members: number; readonly maximum: number }
  | { readonly code: 'NO_LEADER' };

export interface CompositionOptions {
  /** Province of the team's commune (the domain has no unit lookup); selects the size rule. */
  readonly provinceCode?: string;
  /** Judge membership on this day instead of now (roles are always today's). */
  readonly on?: string;
}

/** What a report should flag about a team's make-up; empty for a team that is not active. */
export const teamCompositionIssues = (state: TeamState, options: CompositionOptions = {}): TeamCompositionIssue[] => {
  if (state.status !== 'active') return [];
  const memberIds = options.on === undefined ? currentMembers(state).map((m) => m.memberId) : memberIdsOn(state, options.on);
  const rule = (options.provinceCode && TEAM_SIZE_RULES_BY_PROVINCE[options.provinceCode]) || DEFAULT_TEAM_SIZE_RULE;
  const issues: TeamCompositionIssue[] = [];
  if (memberIds.length < rule.minimum) {
    issues.push({ code: 'TOO_FEW_MEMBERS', members: memberIds.length, minimum: rule.minimum });
  }
  if (rule.maximum !== undefined && memberIds.length > rule.maximum) {
    issues.push({ code: 'TOO_MANY_MEMBERS', members: memberIds.length, maximum: rule.maximum });
  }
  if (!memberIds.some((memberId) => state.members[memberId]?.role === 'leader')) issues.push({ code: 'NO_LEADER' });
  return issues;
};
