import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ActivityIngestion } from '../ingestion/activity-ingestion';
import type { ActivityOutcome } from '../ingestion/activity-item';
import { RecordActivityBatch } from './record-activity-batch.command';

@CommandHandler(RecordActivityBatch)
export class RecordActivityBatchHandler implements ICommandHandler<RecordActivityBatch, ActivityOutcome[]> {
  constructor(private readonly ingestion: ActivityIngestion) {}

  execute({ items, context, teams }: RecordActivityBatch): Promise<ActivityOutcome[]> {
    return this.ingestion.record(items, context, teams);
  }
}
