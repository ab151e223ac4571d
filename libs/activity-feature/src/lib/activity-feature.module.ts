import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { RegistryFeatureModule } from '@cdt/registry-feature';
import { ActivityIngestion } from './ingestion/activity-ingestion';
import { RecordFieldActivityHandler } from './record-activity/record-activity.handler';
import { RecordActivityBatchHandler } from './record-activity-batch/record-activity-batch.handler';
import { ActivityLocator } from './retract-activity/activity-locator';
import { RetractRecordedActivityHandler } from './retract-activity/retract-activity.handler';

/** Activity writes: record (single and batch, idempotent on activityId) and retract. Needs EVENT_STORE. */
@Module({
  imports: [CqrsModule, RegistryFeatureModule],
  providers: [ActivityIngestion, ActivityLocator, RecordFieldActivityHandler, RecordActivityBatchHandler, RetractRecordedActivityHandler],
  exports: [ActivityIngestion, ActivityLocator],
})
export class ActivityFeatureModule {}
