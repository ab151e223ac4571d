import { Command } from '@nestjs/cqrs';
import type { TeamCommand } from '@cdt/domain-registry';
import type { WriteContext } from '../write-side/write-context';

export interface TeamWriteResult {
  teamId: string;
  /** The team stream version after the write: send it as expectedVersion next time. */
  version: number;
  position: { transactionId: string; globalPosition: string } | null;
}

/** Any registry fact of one team: establish, member joins / leaves / changes role, relocate, dissolve. */
export class RegisterTeamFact extends Command<TeamWriteResult> {
  constructor(
    readonly command: TeamCommand,
    readonly context: WriteContext,
    /** The team stream version the caller decided on; stale → 409. */
    readonly expectedVersion?: number,
  ) {
    super();
  }
}
