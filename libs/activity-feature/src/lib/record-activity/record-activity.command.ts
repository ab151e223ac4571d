import { Command } from '@nestjs/cqrs';
import type { TeamSnapshot, WriteContext } from '@cdt/registry-feature';
import type { ActivityItem, ActivityOutcome } from '../ingestion/activity-item';

/** One activity; a rejected one is thrown (the HTTP layer turns it into its problem), never returned. */
export class RecordFieldActivity extends Command<Exclude<ActivityOutcome, { status: 'rejected' }>> {
  constructor(
    readonly item: ActivityItem,
    readonly context: WriteContext,
    /** The team as the caller's access check just loaded it (saves reloading it). */
    readonly team?: TeamSnapshot,
  ) {
    super();
  }
}
