import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { validateSync } from 'class-validator';
import { ProblemError, fieldProblemsOf, problemFromError, validationProblem, type Principal, type Problem } from '@cdt/platform';
import { TeamAccess, type TeamSnapshot, type WriteContext } from '@cdt/registry-feature';
import type { ActivityItem, ActivityOutcome } from '../ingestion/activity-item';
import { forEachLimited } from '../ingestion/for-each-limited';
import { MAX_BATCH_ITEMS, RecordActivityBatch } from '../record-activity-batch/record-activity-batch.command';
import { ACTIVITY_KINDS, BatchDto, DTO_OF_KIND, NESTED_DTOS, type ActivityKind } from './activities.dto';
import { activityItemOf } from './activity-commands';
import { dtoInstanceOf } from './dto-instance';

export interface BatchItemResult {
  index: number;
  activityId: string | null;
  status: 'created' | 'duplicate' | 'rejected';
  position?: { transactionId: string; globalPosition: string };
  problem?: Problem;
}
export interface BatchResult {
  results: BatchItemResult[];
}

/** Team loads of one batch in flight at once: overlaps round trips without taking the whole pool. */
const ACCESS_CHECK_CONCURRENCY = 4;

type Checked = { index: number; item: ActivityItem } | { index: number; activityId: string | null; problem: Problem };

/**
 * The HTTP side of a batch: each item is validated, scoped and recorded on its own, so one bad item
 * never blocks the others; every item gets a result, in the order sent.
 */
@Injectable()
export class BatchIngestion {
  private readonly logger = new Logger(BatchIngestion.name);

  constructor(
    private readonly commands: CommandBus,
    private readonly access: TeamAccess,
  ) {}

  async ingest(rawItems: unknown[], principal: Principal, context: WriteContext): Promise<BatchResult> {
    if (rawItems.length > MAX_BATCH_ITEMS) {
      throw new ProblemError({ status: 413, code: 'BATCH_TOO_LARGE', detail: `a batch holds at most ${MAX_BATCH_ITEMS} items (got ${rawItems.length}); split it`, field: 'items' });
    }
    const now = new Date().toISOString();
    const checked = rawItems.map((raw, index) => checkItem(raw, index, now));
    const { reachable, refused: refusedTeams } = await this.teamsInReach(checked, principal);

    const accepted: { index: number; item: ActivityItem }[] = [];
    const results: BatchItemResult[] = new Array(rawItems.length);
    for (const entry of checked) {
      if ('problem' in entry) {
        results[entry.index] = { index: entry.index, activityId: entry.activityId, status: 'rejected', problem: entry.problem };
        continue;
      }
      const refusal = refusedTeams.get(entry.item.command.teamId);
      if (refusal) results[entry.index] = { index: entry.index, activityId: entry.item.command.activityId, status: 'rejected', problem: refusal };
      else accepted.push(entry);
    }
    if (accepted.length > 0) {
      const outcomes: ActivityOutcome[] = await this.commands.execute(new RecordActivityBatch(accepted.map((a) => a.item), context, reachable));
      outcomes.forEach((outcome, i) => {
        const index = accepted[i].index;
        results[index] = outcome.status === 'rejected'
          ? { index, activityId: outcome.activityId, status: 'rejected', problem: this.problemOf(outcome.error) }
          : { index, activityId: outcome.activityId, status: outcome.status, position: outcome.position };
      });
    }
    return { results };
  }

  /**
   * One access check per team named in the batch, all at once: the teams the caller may write (as
   * loaded, for the decisions) and the refused ones: unknown (404) or out of the caller's scope (403).
   */
  private async teamsInReach(checked: Checked[], principal: Principal): Promise<{ reachable: Map<string, TeamSnapshot>; refused: Map<string, Problem> }> {
    const teamIds = new Set(checked.flatMap((entry) => ('item' in entry ? [entry.item.command.teamId] : [])));
    const reachable = new Map<string, TeamSnapshot>();
    const refused = new Map<string, Problem>();
    await forEachLimited([...teamIds], ACCESS_CHECK_CONCURRENCY, async (teamId) => {
      try {
        const { team, version } = await this.access.teamFor(principal, teamId);
        reachable.set(teamId, { state: team, version });
      } catch (error) {
        refused.set(teamId, this.problemOf(error));
      }
    });
    return { reachable, refused };
  }

  private problemOf(error: unknown): Problem {
    const problem = problemFromError(error);
    if (problem.status >= 500) this.logger.error(error);
    return problem;
  }
}

/**
 * The envelope `{ items: [...] }`, checked as the global validation pipe would check BatchDto (same
 * problems), but without its deep copy of every item: each item is validated on its own below.
 */
export function batchItemsOf(body: unknown): unknown[] {
  const plain = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const dto = dtoInstanceOf(BatchDto, plain);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } });
  if (errors.length > 0) throw validationProblem(errors);
  return dto.items;
}

function checkItem(raw: unknown, index: number, now: string): Checked {
  const path = `items.${index}`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { index, activityId: null, problem: invalid([{ field: path, code: 'IS_OBJECT', message: `${path} must be an object` }]) };
  }
  const { kind, ...body } = raw as Record<string, unknown>;
  const activityId = typeof body['activityId'] === 'string' ? body['activityId'] : null;
  if (!ACTIVITY_KINDS.includes(kind as ActivityKind)) {
    return { index, activityId, problem: invalid([{ field: `${path}.kind`, code: 'IS_IN', message: `kind must be one of ${ACTIVITY_KINDS.join(', ')}` }]) };
  }
  const dto = dtoInstanceOf(DTO_OF_KIND[kind as ActivityKind], withNestedDtos(body));
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } });
  if (errors.length > 0) return { index, activityId, problem: invalid(fieldProblemsOf(errors, path)) };
  return { index, item: activityItemOf(kind as ActivityKind, dto, now) };
}

function withNestedDtos(body: Record<string, unknown>): Record<string, unknown> {
  const nested = Object.entries(NESTED_DTOS).filter(([field]) => isObject(body[field]));
  if (nested.length === 0) return body;
  return { ...body, ...Object.fromEntries(nested.map(([field, type]) => [field, dtoInstanceOf(type, body[field] as Record<string, unknown>)])) };
}

const isObject = (value: unknown): boolean => value !== null && typeof value === 'object' && !Array.isArray(value);

function invalid(errors: Problem['errors'] & object): Problem {
  const names = [...new Set(errors.map((e) => e.field))];
  return new ProblemError({ status: 400, code: 'VALIDATION_FAILED', title: 'Validation failed', detail: `${names.join(', ')} invalid`, errors }).problem;
}
