import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '@cdt/event-store';
import { activityDecider, eventIdOf, type ActivityEvent } from '@cdt/domain-activity';
import { decideAndAppend, metadataOf } from '@cdt/registry-feature';
import { ActivityLocator } from './activity-locator';
import { RetractRecordedActivity, type RetractionResult } from './retract-activity.command';
import { retractionIdOf } from './retraction-id';

@CommandHandler(RetractRecordedActivity)
export class RetractRecordedActivityHandler implements ICommandHandler<RetractRecordedActivity, RetractionResult> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly locator: ActivityLocator,
  ) {}

  async execute({ activityId, reason, supervisor, context, now }: RetractRecordedActivity): Promise<RetractionResult> {
    const activity = await this.locator.locate(activityId);
    const retractionId = retractionIdOf(activity.activityId);
    const command = {
      type: 'RetractActivity' as const,
      retractionId,
      activityId: activity.activityId,
      teamId: activity.teamId,
      occurredAt: activity.occurredAt,
      reason,
      supervisor,
      retractedBy: context.actor,
      now,
    };
    const result = await decideAndAppend(this.store, activity.streamName, activityDecider, command, {
      metadata: metadataOf(context, now),
      eventIdOf: (event: ActivityEvent) => eventIdOf(event),
    });
    if (result.appended > 0) return { activityId: activity.activityId, retractionId, status: 'retracted', position: result.position };
    // A retried retraction: answer with where the retraction was first written.
    const [original] = await this.store.readEventsById([retractionId]);
    return { activityId: activity.activityId, retractionId, status: 'duplicate', position: original?.position ?? null };
  }
}
