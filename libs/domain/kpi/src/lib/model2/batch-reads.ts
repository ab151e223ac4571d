import type { Fields } from '../activity-indicators';
import type { ProjectionEvent } from '../projector';

/**
 * What `projectBatchModel2` may ask its context for, known before it runs. The context is synchronous,
 * so a store-backed runner reads these first and hands the projector a map.
 */

/**
 * Teams whose history the projector may read: those a `TeamRelocated` of the batch names, whatever their
 * state (the projector asks only for the active, not yet applied ones; reading a few more costs a read).
 */
export const relocatingTeamIds = (events: readonly ProjectionEvent[]): string[] => [
  ...new Set(events.filter((event) => event.type === 'TeamRelocated').map((event) => String((event.data as Fields)['teamId']))),
];
