import { Command } from '@nestjs/cqrs';
import type { TeamSnapshot, WriteContext } from '@cdt/registry-feature';
import type { ActivityItem, ActivityOutcome } from '../ingestion/activity-item';

/** Up to MAX_BATCH_ITEMS activities; one outcome per item, in order, whatever happens to the others. */
export class RecordActivityBatch extends Command<ActivityOutcome[]> {
  constructor(
    readonly items: readonly ActivityItem[],
    readonly context: WriteContext,
    /** Teams as the caller's access checks just loaded them, by teamId (saves reloading them). */
    readonly teams?: ReadonlyMap<string, TeamSnapshot>,
  ) {
    super();
  }
}

export const MAX_BATCH_ITEMS = 1000;
