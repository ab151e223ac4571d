export * from './lib/activity-feature.module';
export * from './lib/ingestion/activity-item';
export * from './lib/ingestion/activity-ingestion';
export * from './lib/record-activity/record-activity.command';
export * from './lib/record-activity-batch/record-activity-batch.command';
export * from './lib/retract-activity/retract-activity.command';
export * from './lib/retract-activity/activity-locator';
export * from './lib/retract-activity/retraction-id';
