import { INDICATORS, type ActivityMatch, type Indicator, type StockOf, type SubjectField } from './catalog';

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
