import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '@cdt/event-store';
import { unitTargetsDecider } from '@cdt/domain-registry';
import { unitStream } from '@cdt/domain-shared';
import { decideAndAppend } from '../write-side/decide-and-append';
import { metadataOf } from '../write-side/write-context';
import { AssignUnitTarget, type TargetWriteResult } from './assign-target.command';

@CommandHandler(AssignUnitTarget)
export class AssignUnitTargetHandler implements ICommandHandler<AssignUnitTarget, TargetWriteResult> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ command, context, now, expectedVersion }: AssignUnitTarget): Promise<TargetWriteResult> {
    const result = await decideAndAppend(this.store, unitStream(command.unitCode), unitTargetsDecider, command, {
      metadata: metadataOf(context, now),
      expectedVersion,
      accepts: (event) => event.type === 'TargetAssigned',
    });
    return { unitCode: command.unitCode, version: result.version, position: result.position };
  }
}
