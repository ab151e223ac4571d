import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '@cdt/event-store';
import { isTeamEvent, teamDecider } from '@cdt/domain-registry';
import { teamStream } from '@cdt/domain-shared';
import { decideAndAppend } from '../write-side/decide-and-append';
import { metadataOf, startOfVietnamDay } from '../write-side/write-context';
import { RegisterTeamFact, type TeamWriteResult } from './register-team-fact.command';

@CommandHandler(RegisterTeamFact)
export class RegisterTeamFactHandler implements ICommandHandler<RegisterTeamFact, TeamWriteResult> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ command, context, expectedVersion }: RegisterTeamFact): Promise<TeamWriteResult> {
    const result = await decideAndAppend(this.store, teamStream(command.teamId), teamDecider, command, {
      metadata: metadataOf(context, startOfVietnamDay(command.on)),
      expectedVersion,
      accepts: isTeamEvent,
    });
    return { teamId: command.teamId, version: result.version, position: result.position };
  }
}
