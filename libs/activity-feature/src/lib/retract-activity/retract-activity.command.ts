import { Command } from '@nestjs/cqrs';
import type { WriteContext } from '@cdt/registry-feature';

export interface RetractionResult {
  activityId: string;
  retractionId: string;
  status: 'retracted' | 'duplicate';
  position: { transactionId: string; globalPosition: string } | null;
}

/** Only the HTTP layer knows whether the caller supervises the team; it says so in `supervisor`. */
export class RetractRecordedActivity extends Command<RetractionResult> {
  constructor(
    readonly activityId: string,
    readonly reason: string,
    readonly supervisor: boolean,
    readonly context: WriteContext,
    readonly now: string,
  ) {
    super();
  }
}
