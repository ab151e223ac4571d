import type { Checkpoint } from '@cdt/event-store';
import type { RecordActivity } from '@cdt/domain-activity';
import type { FollowUpContact } from '@cdt/privacy';

/** One activity as the client sent it, already in the domain's command shape. */
export interface ActivityItem {
  readonly command: RecordActivity;
  readonly deviceId?: string;
  /** In clear, household visits only: sealed into the command's followUpContact before deciding. */
  readonly followUpContact?: FollowUpContact;
}

/**
 * What became of one item: written now, written before (the position it was written at then), or
 * refused with the error that says why (a DomainError for a rule, anything else for a fault).
 */
export type ActivityOutcome =
  | { readonly status: 'created'; readonly activityId: string; readonly position: Checkpoint }
  | { readonly status: 'duplicate'; readonly activityId: string; readonly position: Checkpoint }
  | { readonly status: 'rejected'; readonly activityId: string; readonly error: unknown };
