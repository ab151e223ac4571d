import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ActivityIngestion } from '../ingestion/activity-ingestion';
import type { ActivityOutcome } from '../ingestion/activity-item';
import { RecordFieldActivity } from './record-activity.command';

@CommandHandler(RecordFieldActivity)
export class RecordFieldActivityHandler implements ICommandHandler<RecordFieldActivity> {
  constructor(private readonly ingestion: ActivityIngestion) {}

  async execute({ item, context, team }: RecordFieldActivity): Promise<Exclude<ActivityOutcome, { status: 'rejected' }>> {
    const [outcome] = await this.ingestion.record([item], context, team && new Map([[item.command.teamId, team]]));
    if (outcome.status === 'rejected') throw outcome.error;
    return outcome;
  }
}
