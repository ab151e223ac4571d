import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { PrivacyModule } from '@cdt/privacy';
import { RegistryFeatureModule } from '@cdt/registry-feature';
import { ActivitiesController, ActivityBatchController } from './activities-http/activities.controller';
import { BatchIngestion } from './activities-http/batch-ingestion';
import { FollowUpContactController } from './follow-up-contact/follow-up-contact.controller';
import { ActivityIngestion } from './ingestion/activity-ingestion';
import { RecordFieldActivityHandler } from './record-activity/record-activity.handler';
import { RecordActivityBatchHandler } from './record-activity-batch/record-activity-batch.handler';
import { ActivityLocator } from './retract-activity/activity-locator';
import { RetractRecordedActivityHandler } from './retract-activity/retract-activity.handler';

/**
 * Activity writes under /v1: record (single and batch, idempotent on activityId) and retract; and the
 * follow-up contact of a visit, sealed on the way in (PrivacyModule) and readable until erased. Needs
 * EVENT_STORE and the platform's global guard, pipe and filter.
 */
@Module({
  imports: [CqrsModule, RegistryFeatureModule, PrivacyModule],
  // The batch controller first: its literal `activities:batch` must not be taken for `activities/:id`.
  controllers: [ActivityBatchController, ActivitiesController, FollowUpContactController],
  providers: [BatchIngestion, ActivityIngestion, ActivityLocator, RecordFieldActivityHandler, RecordActivityBatchHandler, RetractRecordedActivityHandler],
  exports: [ActivityIngestion, ActivityLocator],
})
export class ActivityFeatureModule {}
