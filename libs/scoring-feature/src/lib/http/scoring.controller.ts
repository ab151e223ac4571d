import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, contentDisposition, CorrelationId, CurrentPrincipal, negotiateFormat, ProblemDto, Roles, toCsv, toXlsx, type Principal } from '@cdt/platform';
import type { EventMetadata } from '@cdt/event-store';
import { CriteriaSets, criteriaNotFound, type CriteriaCheck, type PublishResult } from '../criteria/criteria-sets';
import { ScoringUnits } from '../inputs/scoring-units';
import { ScoringCatalog, type AwardList, type CriteriaVersionSummary, type RunSummary } from '../ledger/scoring-catalog';
import { EvaluationRuns } from '../runs/evaluation-runs';
import { rankingTable } from './ranking-export';
import { rankingView, type RankingView } from './ranking-view';
import { assertMayRun, provinceOfResult, readableRows } from './scoring-scope';
import {
  AwardsQueryDto,
  CriteriaCodeParamsDto,
  CriteriaVersionParamsDto,
  PublishCriteriaQueryDto,
  RankingQueryDto,
  RunEvaluationDto,
  RunListQueryDto,
  RunParamsDto,
  WriteResultDto,
} from './scoring.dto';

const CRITERIA_BODY = {
  schema: { type: 'object', description: 'A criteria set in the format of docs/scoring/criteria-format.md (example: docs/scoring/default-criteria.json)' },
} as const;

/**
 * The scoring API under /v1/scoring (docs/api/v1-scoring.md): criteria sets (ministry publishes),
 * evaluation runs (ministry anywhere, officers in their province), explained rankings and their
 * CSV/XLSX exports (officers see their province's units), approval and awards (ministry).
 */
@ApiTags('scoring')
@ApiBearerAuth('bearer')
@ApiResponse({ status: '4XX', type: ProblemDto, description: 'problem+json' })
@Controller('v1/scoring')
export class ScoringController {
  constructor(
    private readonly criteria: CriteriaSets,
    private readonly runs: EvaluationRuns,
    private readonly catalog: ScoringCatalog,
    private readonly units: ScoringUnits,
  ) {}

  @Post('criteria-sets')
  @Roles('ministry')
  @ApiOperation({ summary: 'Publish a criteria set version (CriteriaSetPublished); ?dryRun=true only validates and checksums' })
  @ApiBody(CRITERIA_BODY)
  @ApiResponse({ status: 201, description: 'published, or the same version and checksum published before (status duplicate)' })
  async publish(@Body() body: Record<string, unknown>, @Query() query: PublishCriteriaQueryDto, @CurrentPrincipal() principal: Principal, @CorrelationId() correlationId: string): Promise<PublishResult | CriteriaCheck> {
    if (query.dryRun === 'true') return this.criteria.check(body).summary;
    return this.criteria.publish(body, metadataOf(principal, correlationId));
  }

  @Post('criteria-sets\\:validate')
  @HttpCode(200)
  @Roles('ministry', 'officer', 'auditor')
  @ApiOperation({ summary: 'Validate a criteria set without publishing: its checksum and the indicators it reads, or 422 naming each criterion at fault' })
  @ApiBody(CRITERIA_BODY)
  validate(@Body() body: Record<string, unknown>): CriteriaCheck {
    return this.criteria.check(body).summary;
  }

  @Get('criteria-sets')
  @Roles('ministry', 'officer', 'auditor')
  @ApiOperation({ summary: 'Every published criteria set version' })
  listCriteria(): Promise<CriteriaVersionSummary[]> {
    return this.catalog.criteriaVersions();
  }

  @Get('criteria-sets/:code/versions')
  @Roles('ministry', 'officer', 'auditor')
  @ApiOperation({ summary: 'The versions of one criteria set' })
  async versions(@Param() params: CriteriaCodeParamsDto): Promise<CriteriaVersionSummary[]> {
    const versions = await this.catalog.criteriaVersions(params.code);
    if (versions.length === 0) throw criteriaNotFound('code', `no criteria set ${params.code} is published`);
    return versions;
  }

  @Get('criteria-sets/:code/versions/:version')
  @Roles('ministry', 'officer', 'auditor')
  @ApiOperation({ summary: 'One published version in full, with its checksum' })
  async version(@Param() params: CriteriaVersionParamsDto): Promise<Record<string, unknown>> {
    const published = (await this.criteria.versions(params.code)).find((v) => v.data.version === params.version);
    if (!published) throw criteriaNotFound('version', `${params.code} has no version ${params.version}`);
    return { ...published.data, publishedAt: published.recordedAt, publishedBy: published.actor, position: published.position };
  }

  @Post('evaluations')
  @Roles('ministry', 'officer')
  @ApiOperation({ summary: 'Run an evaluation (a draft ranking, EvaluationCompleted) for a period over an area' })
  @ApiResponse({ status: 201, type: WriteResultDto })
  run(@Body() body: RunEvaluationDto, @CurrentPrincipal() principal: Principal, @CorrelationId() correlationId: string): Promise<{ runId: string; status: string }> {
    assertMayRun(principal, body.area, this.units);
    return this.runs.run({ ...body, area: { level: body.area.level, code: body.area.code } }, metadataOf(principal, correlationId));
  }

  @Get('evaluations')
  @Roles('ministry', 'officer', 'auditor')
  @ApiOperation({ summary: 'Runs, newest first (officers: runs over their province, and national runs of provinces or communes)' })
  async listRuns(@Query() query: RunListQueryDto, @CurrentPrincipal() principal: Principal): Promise<RunSummary[]> {
    return (await this.catalog.listRuns(query)).filter((run) => this.mayRead(principal, run));
  }

  @Get('evaluations/:runId')
  @Roles('ministry', 'officer', 'auditor')
  @ApiOperation({ summary: 'The explained ranking: every unit with its per-criterion breakdown, rank, tier, and the run\'s watermark and digests' })
  @ApiProduces('application/json', 'text/csv', XLSX_CONTENT_TYPE)
  async ranking(
    @Param() params: RunParamsDto,
    @Query() query: RankingQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): unknown },
  ): Promise<RankingView | StreamableFile> {
    const run = await this.runs.load(params.runId);
    const view = rankingView(run, readableRows(principal, run.record.completed.data, this.units));
    const format = negotiateFormat(query.format, accept);
    res.setHeader('Vary', 'Accept');
    if (format === 'json') return view;
    const table = rankingTable(view);
    const body = format === 'csv' ? toCsv(table) : await toXlsx(table);
    const disposition = contentDisposition(['xep-hang', view.criteria.code, `v${view.criteria.version}`, view.area.code, view.period, view.runId.slice(0, 8)], format);
    return new StreamableFile(body, { type: format === 'csv' ? CSV_CONTENT_TYPE : XLSX_CONTENT_TYPE, disposition, length: body.length });
  }

  @Post('evaluations/:runId/approve')
  @HttpCode(200)
  @Roles('ministry')
  @ApiOperation({ summary: 'Approve a draft: publishes the ranking (RankingApproved) and grants its award tiers (AwardsGranted)' })
  @ApiResponse({ status: 200, type: WriteResultDto })
  approve(@Param() params: RunParamsDto, @CurrentPrincipal() principal: Principal, @CorrelationId() correlationId: string): Promise<{ runId: string; status: string }> {
    return this.runs.approve(params.runId, metadataOf(principal, correlationId));
  }

  @Get('awards')
  @Roles('ministry', 'officer', 'auditor')
  @ApiOperation({ summary: 'Awards of the published rankings (officers: their province\'s units)' })
  async awards(@Query() query: AwardsQueryDto, @CurrentPrincipal() principal: Principal): Promise<AwardList[]> {
    const lists = await this.catalog.currentAwards(query);
    if (principal.role !== 'officer') return lists;
    return lists
      .map((list) => ({ ...list, awards: list.awards.filter((award) => provinceOfResult(list, award, this.units) === principal.provinceCode) }))
      .filter((list) => list.awards.length > 0);
  }

  private mayRead(principal: Principal, run: RunSummary): boolean {
    try {
      readableRows(principal, run, this.units);
      return true;
    } catch {
      return false;
    }
  }
}

const metadataOf = (principal: Principal, correlationId: string): EventMetadata => ({ occurredAt: new Date().toISOString(), actor: principal.subject, correlationId });
