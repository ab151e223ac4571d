import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { compareCheckpoints, type Checkpoint } from '@cdt/event-store';
import { CurrentPrincipal, ProblemDto, Roles, type Principal } from '@cdt/platform';
import { evidenceKindOf, type EvidenceItem, type EvidenceKind } from './kpi-evidence';
import { DEFAULT_EVIDENCE_PAGE, KpiEvidenceQueryDto } from './kpi-evidence.dto';
import { KpiEvidenceReader } from './kpi-evidence.reader';
import { assertKpiAccess } from './kpi-scope';
import { KpiUnitResolver, badRequest, requirePeriod } from './kpi-unit-resolver';
import { KpiUnitParamsDto } from './kpi.dto';
import { CHECKPOINT_HEADER } from './kpi.controller';

export interface EvidencePage {
  level: string;
  unitCode: string;
  unitName: string;
  view: string;
  period: string;
  indicator: string;
  kind: EvidenceKind;
  /** What the listed events add up to (all pages together). */
  figure: number;
  /** The stored figure at `checkpoint`; equal to `figure` unless the model disagrees with the log. */
  readModelValue: number;
  matchesReadModel: boolean;
  checkpoint: Checkpoint | null;
  totalEvents: number;
  events: EvidenceItem[];
  /** Pass as `after` for the next page; absent on the last page. */
  next?: string;
}

const text = (c: Checkpoint): string => `${c.transactionId}/${c.globalPosition}`;

/** `GET /v1/kpi/{level}/{unitCode}/evidence`: the events behind one figure (docs/api/v1-kpi.md). */
@ApiTags('kpi')
@ApiBearerAuth('bearer')
@ApiResponse({ status: '4XX', type: ProblemDto, description: 'problem+json' })
@Roles('reporter', 'officer', 'ministry', 'auditor')
@Controller('v1/kpi')
export class KpiEvidenceController {
  constructor(
    private readonly evidence: KpiEvidenceReader,
    private readonly resolver: KpiUnitResolver,
  ) {}

  @Get(':level/:unitCode/evidence')
  @ApiOperation({ summary: 'The events behind one figure (unit, period, indicator, view), retractions shown as such, paged in log order' })
  async explain(
    @Param() params: KpiUnitParamsDto,
    @Query() query: KpiEvidenceQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): unknown },
  ): Promise<EvidencePage> {
    const view = query.view ?? 'as-recorded';
    const kind = evidenceKindOf(query.indicator);
    if (!kind) throw badRequest('INDICATOR_DERIVED', 'indicator', `${query.indicator} is derived at query time; ask for the evidence of its parts`);
    const unit = await this.resolver.resolve(view, params.level, params.unitCode, requirePeriod(query.period));
    assertKpiAccess(principal, unit);
    const found = await this.evidence.evidence({ view, level: unit.level, unitKey: unit.unitKey, period: query.period, indicator: query.indicator }, kind);
    const [transactionId, globalPosition] = (query.after ?? '0/0').split('/');
    const after = { transactionId, globalPosition };
    const limit = Number(query.limit ?? DEFAULT_EVIDENCE_PAGE);
    const rest = found.items.filter((item) => compareCheckpoints(item.position, after) > 0);
    const events = rest.slice(0, limit);
    res.setHeader(CHECKPOINT_HEADER, found.checkpoint ? text(found.checkpoint) : 'none');
    return {
      level: unit.level,
      unitCode: unit.unitKey,
      unitName: unit.name,
      view,
      period: query.period,
      indicator: query.indicator,
      kind,
      figure: found.figure,
      readModelValue: found.readModelValue,
      matchesReadModel: found.figure === found.readModelValue,
      checkpoint: found.checkpoint,
      totalEvents: found.items.length,
      events,
      ...(rest.length > limit ? { next: text(events[events.length - 1].position) } : {}),
    };
  }
}
