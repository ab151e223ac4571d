import { Command } from '@nestjs/cqrs';
import type { AssignTarget } from '@cdt/domain-registry';
import type { WriteContext } from '../write-side/write-context';

export interface TargetWriteResult {
  unitCode: string;
  version: number;
  position: { transactionId: string; globalPosition: string } | null;
}

export class AssignUnitTarget extends Command<TargetWriteResult> {
  constructor(
    readonly command: AssignTarget,
    readonly context: WriteContext,
    /** When the officer set it (ISO-8601): targets have no field time of their own. */
    readonly now: string,
    readonly expectedVersion?: number,
  ) {
    super();
  }
}
