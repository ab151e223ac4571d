import type { ActivityRecorded } from '@cdt/domain-activity';
import { periodKeys, vietnamDate } from '@cdt/domain-shared';
import { countedIndicators, subjectsOf, type Fields } from '../activity-indicators';
import type { ProjectionEvent } from '../projector';
import { footprintKeyString, footprintYears } from './footprints';
import type { FootprintKey, TeamHistory } from './types';

/**
 * What `projectBatchModel2` will ask its context for, known before it runs. The context is synchronous,
 * so a store-backed runner reads these first (team histories, then footprints) and hands the projector
 * maps. Derived from the catalog (countedIndicators, subjectsOf) and footprintYears, as the projector is.
 */

/** Teams whose history the projector reads: those a `TeamRelocated` of the batch names (whatever their state). */
export const relocatingTeamIds = (events: readonly ProjectionEvent[]): string[] => [
  ...new Set(events.filter((event) => event.type === 'TeamRelocated').map((event) => String((event.data as Fields)['teamId']))),
];

/** The activity behind an event: its own, or the one a retraction carries. */
const activityOf = (event: ProjectionEvent): { type: string; data: Fields } | undefined => {
  if (event.type !== 'ActivityRetracted') return { type: event.type, data: (event.data ?? {}) as Fields };
  const retracted = ((event.data ?? {}) as Fields)['retracted'] as ActivityRecorded | undefined;
  return retracted ? { type: retracted.type, data: retracted.data as unknown as Fields } : undefined;
};

/**
 * Every footprint the batch may touch: each distinct subject of its activities and retractions, and each
 * subject of the stored facts of relocating teams (`histories`, as read for `relocatingTeamIds`), under
 * the calendar years footprintYears gives for the day.
 */
export const footprintKeysOfBatch = (events: readonly ProjectionEvent[], histories: ReadonlyMap<string, TeamHistory>): FootprintKey[] => {
  const keys = new Map<string, FootprintKey>();
  const weeks = new Map<string, string>();
  const want = (indicator: string, subject: string, day: string) => {
    let week = weeks.get(day);
    if (week === undefined) weeks.set(day, (week = periodKeys(day).week));
    for (const year of footprintYears(day, week)) {
      const key = { indicator, subject, year };
      keys.set(footprintKeyString(key), key);
    }
  };
  for (const event of events) {
    if (event.type === 'TeamRelocated') {
      for (const fact of histories.get(String((event.data as Fields)['teamId']))?.facts ?? []) {
        for (const [indicator, subjects] of Object.entries(fact.subjects)) for (const subject of subjects) want(indicator, subject, fact.day);
      }
      continue;
    }
    const activity = activityOf(event);
    if (!activity) continue;
    let day: string | undefined;
    for (const { code, definition } of countedIndicators(activity.type, activity.data)) {
      if (definition.kind !== 'distinct') continue;
      day ??= vietnamDate(String(activity.data['occurredAt']));
      for (const subject of subjectsOf(definition.subject, activity.data)) want(code, subject, day);
    }
  }
  return [...keys.values()];
};
