import { INDICATORS, type ActivityMatch, type Indicator, type StockOf, type SubjectField } from './catalog';
import type { TargetSet, TeamRecord } from './deltas';
import { levelOfUnitCode } from './units';

/**
 * Which catalog indicators an event moves: shared by the model-1 projector and model 2 (ADR 0010), so
 * both read the catalog the same way.
 */

export type Fields = Record<string, unknown>;

export const STOCK_INDICATOR: Record<StockOf, string> = {
  teams: 'teams-registered',
  members: 'members-registered',
  'youth-union-members': 'youth-union-members',
};

export const DISTINCT_CODES: ReadonlySet<string> = new Set(INDICATORS.filter((i) => i.definition.kind === 'distinct').map((i) => i.code));

export const matches = (match: ActivityMatch, type: string, data: Fields): boolean => {
  if (match.event !== type) return false;
  if (match.equals && data[match.equals.field] !== match.equals.value) return false;
  if (match.includes) {
    const list = data[match.includes.field];
    if (!Array.isArray(list) || !list.includes(match.includes.value)) return false;
  }
  return true;
};

export const subjectsOf = (subject: SubjectField, data: Fields): string[] => {
  const value = data[subject.field];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
};

export type ActivityIndicator = Indicator & { definition: { kind: 'count' | 'distinct' } };

const ACTIVITY_INDICATORS = INDICATORS.filter(
  (i): i is ActivityIndicator => i.definition.kind === 'count' || i.definition.kind === 'distinct',
);

/** The activity indicators each event type can move, so an event checks only its own. */
export const INDICATORS_BY_EVENT: ReadonlyMap<string, readonly ActivityIndicator[]> = new Map(
  [...new Set(ACTIVITY_INDICATORS.flatMap((i) => i.definition.matches.map((m) => m.event)))].map((event) => [
    event,
    ACTIVITY_INDICATORS.filter((i) => i.definition.matches.some((m) => m.event === event)),
  ]),
);

/** The activity indicators a recorded activity of this type and data counts. */
export const countedIndicators = (type: string, data: Fields): ActivityIndicator[] => {
  // Plain loops: both projectors call this once per activity.
  const counted: ActivityIndicator[] = [];
  for (const indicator of INDICATORS_BY_EVENT.get(type) ?? []) {
    for (const match of indicator.definition.matches) {
      if (matches(match, type, data)) {
        counted.push(indicator);
        break;
      }
    }
  }
  return counted;
};

/** Members and youth-union members of a team record. */
export const sizeOf = (team: { readonly members: Readonly<Record<string, boolean>> }): { members: number; youth: number } => {
  const flags = Object.values(team.members);
  return { members: flags.length, youth: flags.filter(Boolean).length };
};

/** What a registry event does to a team: its record after the event, the day, and its stock changes. */
export interface RegistryChange {
  readonly team: TeamRecord;
  readonly on: string;
  /** In the order they are applied; a zero change is listed and does nothing. */
  readonly stocks: readonly (readonly [StockOf, number])[];
}

export type RegistryEventType = 'TeamEstablished' | 'MemberJoined' | 'MemberLeft' | 'MemberRoleChanged' | 'TeamDissolved';

/**
 * The registry's stock rules, shared by both projectors: establishment (+1 team), joining, leaving or
 * changing role (members and youth-union members), dissolution (the team and all its members leave).
 * Undefined when the event changes nothing: a team established twice, a change to an unknown or
 * dissolved team, a role change of someone not in the team.
 */
export const registryChange = (teams: Readonly<Record<string, TeamRecord>>, type: RegistryEventType, data: Fields): RegistryChange | undefined => {
  const on = String(data['on']);
  if (type === 'TeamEstablished') {
    const teamId = String(data['teamId']);
    if (teams[teamId]) return undefined;
    const team: TeamRecord = { teamId, communeCode: String(data['communeCode']), village: String(data['village']), since: on, status: 'active', members: {} };
    return { team, on, stocks: [['teams', +1]] };
  }
  const team = teams[String(data['teamId'])];
  if (!team || team.status !== 'active') return undefined;
  if (type === 'TeamDissolved') {
    const { members, youth } = sizeOf(team);
    return { team: { ...team, status: 'dissolved', members: {} }, on, stocks: [['teams', -1], ['members', -members], ['youth-union-members', -youth]] };
  }
  const memberId = String(data['memberId']);
  const wasIn = Object.hasOwn(team.members, memberId);
  if (type === 'MemberRoleChanged' && !wasIn) return undefined;
  const wasYouth = wasIn && team.members[memberId];
  const members = { ...team.members };
  if (type === 'MemberLeft') delete members[memberId];
  else members[memberId] = data['youthUnion'] === true;
  const isIn = Object.hasOwn(members, memberId);
  const isYouth = isIn && members[memberId];
  return { team: { ...team, members }, on, stocks: [['members', Number(isIn) - Number(wasIn)], ['youth-union-members', Number(isYouth) - Number(wasYouth)]] };
};

/** The target a `TargetAssigned` sets, or undefined for a unit code of no known level or a value that is not a number. */
export const targetOf = (data: Fields): TargetSet | undefined => {
  const unitKey = String(data['unitCode']);
  const level = levelOfUnitCode(unitKey);
  const value = data['value'];
  if (level === undefined || typeof value !== 'number') return undefined;
  return { level, unitKey, indicator: String(data['indicatorCode']), period: String(data['period']), value };
};
