import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CorrelationId, CurrentPrincipal, ProblemDto, Roles, type Principal } from '@cdt/platform';
import { TeamAccess } from '@cdt/registry-feature';
import { RecordFieldActivity } from '../record-activity/record-activity.command';
import { ActivityLocator } from '../retract-activity/activity-locator';
import { RetractRecordedActivity, type RetractionResult } from '../retract-activity/retract-activity.command';
import {
  ActivityResultDto,
  AppInstallAssistDto,
  BatchDto,
  DigitalServiceAssistDto,
  HouseholdVisitDto,
  RetractDto,
  TrainingDto,
  type ActivityCommonDto,
  type ActivityKind,
} from './activities.dto';
import { activityItemOf } from './activity-commands';
import { BatchIngestion, batchItemsOf, type BatchResult } from './batch-ingestion';

/** The slice of the Express response used: 201 for a new fact, 200 for a retry of one. */
interface Response {
  status(code: number): unknown;
}

/** Who records field work: the team's reporter, or an officer / the ministry on its behalf. */
const RECORDERS = ['reporter', 'officer', 'ministry'] as const;

@ApiTags('activities')
@ApiBearerAuth('bearer')
@ApiResponse({ status: '4XX', type: ProblemDto, description: 'problem+json' })
@Controller('v1/activities')
export class ActivitiesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly access: TeamAccess,
    private readonly locator: ActivityLocator,
  ) {}

  @Post('household-visits')
  @Roles(...RECORDERS)
  @ApiResponse({ status: 201, type: ActivityResultDto, description: 'created' })
  @ApiResponse({ status: 200, type: ActivityResultDto, description: 'duplicate: the original position' })
  householdVisit(@Body() body: HouseholdVisitDto, @CurrentPrincipal() p: Principal, @CorrelationId() c: string, @Res({ passthrough: true }) res: Response) {
    return this.record('household-visit', body, p, c, res);
  }

  @Post('training-enrollments')
  @Roles(...RECORDERS)
  @ApiResponse({ status: 201, type: ActivityResultDto })
  trainingEnrollment(@Body() body: TrainingDto, @CurrentPrincipal() p: Principal, @CorrelationId() c: string, @Res({ passthrough: true }) res: Response) {
    return this.record('training-enrollment', body, p, c, res);
  }

  @Post('training-completions')
  @Roles(...RECORDERS)
  @ApiResponse({ status: 201, type: ActivityResultDto })
  trainingCompletion(@Body() body: TrainingDto, @CurrentPrincipal() p: Principal, @CorrelationId() c: string, @Res({ passthrough: true }) res: Response) {
    return this.record('training-completion', body, p, c, res);
  }

  @Post('app-install-assists')
  @Roles(...RECORDERS)
  @ApiResponse({ status: 201, type: ActivityResultDto })
  appInstallAssist(@Body() body: AppInstallAssistDto, @CurrentPrincipal() p: Principal, @CorrelationId() c: string, @Res({ passthrough: true }) res: Response) {
    return this.record('app-install-assist', body, p, c, res);
  }

  @Post('digital-service-assists')
  @Roles(...RECORDERS)
  @ApiResponse({ status: 201, type: ActivityResultDto })
  digitalServiceAssist(@Body() body: DigitalServiceAssistDto, @CurrentPrincipal() p: Principal, @CorrelationId() c: string, @Res({ passthrough: true }) res: Response) {
    return this.record('digital-service-assist', body, p, c, res);
  }

  /** Supervisors only: an officer of the team's province (and commune, if bound), or the ministry. */
  @Post(':activityId/retract')
  @Roles('officer', 'ministry')
  @ApiResponse({ status: 201, description: 'retracted' })
  @ApiResponse({ status: 200, description: 'already retracted by this same retraction (a retry)' })
  async retract(
    @Param('activityId') activityId: string,
    @Body() body: RetractDto,
    @CurrentPrincipal() principal: Principal,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RetractionResult> {
    const activity = await this.locator.locate(activityId);
    await this.access.teamFor(principal, activity.teamId);
    const context = { actor: principal.subject, correlationId };
    const result = await this.commands.execute(new RetractRecordedActivity(activity.activityId, body.reason, true, context, new Date().toISOString()));
    res.status(result.status === 'retracted' ? 201 : 200);
    return result;
  }

  private async record(kind: ActivityKind, body: ActivityCommonDto, principal: Principal, correlationId: string, res: Response) {
    const { team, version } = await this.access.teamFor(principal, body.teamId);
    const item = activityItemOf(kind, body, new Date().toISOString());
    const outcome = await this.commands.execute(new RecordFieldActivity(item, { actor: principal.subject, correlationId }, { state: team, version }));
    res.status(outcome.status === 'created' ? 201 : 200);
    return outcome;
  }
}

/** `POST /v1/activities:batch`: a colon inside a segment must be escaped for Express's router. */
@ApiTags('activities')
@ApiBearerAuth('bearer')
@Controller('v1')
export class ActivityBatchController {
  constructor(private readonly batches: BatchIngestion) {}

  @Post('activities\\:batch')
  @HttpCode(200)
  @Roles(...RECORDERS)
  @ApiResponse({ status: 200, description: '{ results: [{ index, activityId, status: created|duplicate|rejected, position?, problem? }] }' })
  @ApiResponse({ status: 413, type: ProblemDto, description: 'more than 1,000 items, or a body over the size limit' })
  @ApiBody({ type: BatchDto })
  batch(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @CorrelationId() correlationId: string): Promise<BatchResult> {
    return this.batches.ingest(batchItemsOf(body), principal, { actor: principal.subject, correlationId });
  }
}

