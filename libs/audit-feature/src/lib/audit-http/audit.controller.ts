import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { START, type Checkpoint } from '@cdt/event-store';
import { isCalendarDate, timestampToEpochMs } from '@cdt/domain-shared';
import { ProblemDto, Roles } from '@cdt/platform';
import { AuditHistory, type StreamHistory, type TeamAsOf } from '../history/audit-history';
import { DEFAULT_PAGE, LogQueryDto, StreamHistoryQueryDto, StreamParamsDto, TeamAsOfQueryDto, TeamParamsDto, splitList } from './audit.dto';

export interface LogPageBody {
  events: StreamHistory['events'];
  /** `<transactionId>/<globalPosition>`: pass as `after` to continue. */
  next: string;
  atHead: boolean;
}

const checkpointOf = (text: string | undefined): Checkpoint => {
  if (text === undefined) return START;
  const [transactionId, globalPosition] = text.split('/');
  return { transactionId, globalPosition };
};

/** Epoch ms of a bound: a day means its first (or last) millisecond in Vietnam. Validated by the DTO. */
const boundMs = (value: string | undefined, end: boolean): number | undefined => {
  if (value === undefined) return undefined;
  const instant = isCalendarDate(value) ? `${value}T${end ? '23:59:59.999999' : '00:00:00'}+07:00` : value;
  return timestampToEpochMs(instant);
};

/** Read-only, for auditors and the ministry; every other role gets 403. */
@ApiTags('audit')
@ApiBearerAuth('bearer')
@ApiResponse({ status: '4XX', type: ProblemDto, description: 'problem+json' })
@Roles('auditor', 'ministry')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly history: AuditHistory) {}

  @Get('streams/:streamName')
  stream(@Param() { streamName }: StreamParamsDto, @Query() query: StreamHistoryQueryDto): Promise<StreamHistory> {
    // Passed on as written: the store compares in microseconds, which a Date would round away.
    return this.history.streamHistory(streamName, { fromVersion: Number(query.fromVersion ?? 1), limit: Number(query.limit ?? DEFAULT_PAGE), asOf: query.asOf });
  }

  @Get('teams/:teamId/as-of')
  teamAsOf(@Param() { teamId }: TeamParamsDto, @Query() { date }: TeamAsOfQueryDto): Promise<TeamAsOf> {
    return this.history.teamAsOf(teamId, date);
  }

  @Get('log')
  async log(@Query() query: LogQueryDto): Promise<LogPageBody> {
    const page = await this.history.log({
      after: checkpointOf(query.after),
      limit: Number(query.limit ?? DEFAULT_PAGE),
      types: query.types === undefined ? undefined : splitList(query.types),
      streamPrefix: query.streamPrefix,
      teamId: query.team,
      unitCode: query.unit,
      fromMs: boundMs(query.from, false),
      toMs: boundMs(query.to, true),
    });
    return { events: page.events, next: `${page.next.transactionId}/${page.next.globalPosition}`, atHead: page.atHead };
  }
}
