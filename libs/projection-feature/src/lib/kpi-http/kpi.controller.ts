import { Controller, Get, Headers, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Level, View } from '@cdt/domain-kpi';
import { CurrentPrincipal, ProblemDto, Roles, type Principal } from '@cdt/platform';
import {
  CSV_CONTENT_TYPE,
  XLSX_CONTENT_TYPE,
  checkpointText,
  childrenTable,
  contentDisposition,
  negotiateFormat,
  toCsv,
  toXlsx,
  unitTable,
  type ExportFormat,
  type ExportTable,
} from './kpi-export';
import { KpiReader, defaultChildLevel, type ChildrenReport, type CompareReport, type SeriesReport, type UnitReport, type Watermark } from './kpi-reader';
import { acceptedStalenessMs } from './kpi-freshness';
import { assertKpiAccess } from './kpi-scope';
import { KpiUnitResolver, badRequest, requirePeriod } from './kpi-unit-resolver';
import {
  ChildrenKpiDto,
  CompareKpiDto,
  KpiChildrenQueryDto,
  KpiCompareQueryDto,
  KpiSeriesQueryDto,
  KpiUnitParamsDto,
  KpiUnitQueryDto,
  SeriesKpiDto,
  UnitKpiDto,
  listOf,
  parseUnitRef,
} from './kpi.dto';

/** The response, as far as this controller touches it (headers only; Nest writes the body). */
interface HeaderSettable {
  setHeader(name: string, value: string): unknown;
}

/** Every answer names the log position it stands on, also in a header for file downloads. */
export const CHECKPOINT_HEADER = 'CDT-Checkpoint';

const DEFAULT_VIEW: View = 'as-recorded';

/**
 * KPI queries under /v1/kpi (docs/api/v1-kpi.md). Each handler validates, resolves the unit in the
 * hierarchy of the period, checks the caller's scope, then reads; every answer carries the read
 * model's checkpoint and says which view answered.
 */
@ApiTags('kpi')
@ApiBearerAuth('bearer')
@ApiResponse({ status: '4XX', type: ProblemDto, description: 'problem+json' })
@ApiHeader({
  name: 'Cache-Control',
  required: false,
  description:
    'max-stale[=seconds] (at most 300): accept the figures of an earlier checkpoint of the read model, at once, while the current ones are computed (watermark.stale says so). Without it, every answer is that of the current checkpoint.',
})
@Roles('reporter', 'officer', 'ministry', 'auditor')
@Controller('v1/kpi')
export class KpiController {
  constructor(
    private readonly reader: KpiReader,
    private readonly resolver: KpiUnitResolver,
  ) {}

  @Get('compare')
  @ApiOperation({ summary: 'Several units side by side for one period (units=province:82,province:79)' })
  @ApiResponse({ status: 200, type: CompareKpiDto })
  async compare(
    @Query() query: KpiCompareQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Headers('cache-control') cacheControl: string | undefined,
    @Res({ passthrough: true }) res: HeaderSettable,
  ): Promise<CompareReport> {
    const view = query.view ?? DEFAULT_VIEW;
    const bounds = requirePeriod(query.period);
    const refs = listOf(query.units).map((item) => parseUnitRef(item) as { level: Level; unitCode: string });
    const units = [];
    for (const [index, ref] of refs.entries()) {
      const field = `units[${index}]`;
      const unit = await this.resolver.resolve(view, ref.level, ref.unitCode, bounds, field);
      assertKpiAccess(principal, unit, field);
      units.push(unit);
    }
    const report = await this.reader.compare(view, units, query.period, query.indicators === undefined ? undefined : listOf(query.indicators), acceptedStalenessMs(cacheControl));
    this.stamp(res, report.watermark);
    return report;
  }

  @Get(':level/:unitCode')
  @ApiOperation({ summary: "One unit's indicators for a period, with target and attainment where a target is set" })
  @ApiProduces('application/json', 'text/csv', XLSX_CONTENT_TYPE)
  @ApiResponse({ status: 200, type: UnitKpiDto, description: 'JSON, or a CSV/XLSX file with ?format= or Accept' })
  async unit(
    @Param() params: KpiUnitParamsDto,
    @Query() query: KpiUnitQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Headers('accept') accept: string | undefined,
    @Headers('cache-control') cacheControl: string | undefined,
    @Res({ passthrough: true }) res: HeaderSettable,
  ): Promise<UnitReport | StreamableFile> {
    const view = query.view ?? DEFAULT_VIEW;
    const bounds = requirePeriod(query.period);
    const unit = await this.resolver.resolve(view, params.level, params.unitCode, bounds);
    assertKpiAccess(principal, unit);
    const report = await this.reader.unit(view, unit, query.period, bounds, acceptedStalenessMs(cacheControl));
    return this.answer(res, report, negotiateFormat(query.format, accept), () => unitTable(report), ['kpi', report.level, report.unitCode, report.period, report.view]);
  }

  @Get(':level/:unitCode/children')
  @ApiOperation({ summary: "Drill-down: the unit's children ranked by one indicator" })
  @ApiProduces('application/json', 'text/csv', XLSX_CONTENT_TYPE)
  @ApiResponse({ status: 200, type: ChildrenKpiDto, description: 'JSON, or a CSV/XLSX file with ?format= or Accept' })
  async children(
    @Param() params: KpiUnitParamsDto,
    @Query() query: KpiChildrenQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Headers('accept') accept: string | undefined,
    @Headers('cache-control') cacheControl: string | undefined,
    @Res({ passthrough: true }) res: HeaderSettable,
  ): Promise<ChildrenReport | StreamableFile> {
    const view = query.view ?? DEFAULT_VIEW;
    const bounds = requirePeriod(query.period);
    const unit = await this.resolver.resolve(view, params.level, params.unitCode, bounds);
    assertKpiAccess(principal, unit);
    const childLevel = query.childLevel ?? defaultChildLevel(unit, view);
    if (childLevel === undefined) throw badRequest('NO_CHILDREN', 'level', 'a team has no units below it');
    const report = await this.reader.children(view, unit, childLevel, query.indicator, query.period, acceptedStalenessMs(cacheControl));
    const name = ['kpi', report.level, report.unitCode, report.childLevel, report.indicator.code, report.period, report.view];
    return this.answer(res, report, negotiateFormat(query.format, accept), () => childrenTable(report), name);
  }

  @Get(':level/:unitCode/series')
  @ApiOperation({ summary: 'One indicator of one unit over consecutive periods' })
  @ApiResponse({ status: 200, type: SeriesKpiDto })
  async series(
    @Param() params: KpiUnitParamsDto,
    @Query() query: KpiSeriesQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Headers('cache-control') cacheControl: string | undefined,
    @Res({ passthrough: true }) res: HeaderSettable,
  ): Promise<SeriesReport> {
    const view = query.view ?? DEFAULT_VIEW;
    const from = requirePeriod(query.from, 'from');
    const to = requirePeriod(query.to, 'to');
    // The unit must exist somewhere in the range: read the code in the hierarchies of its two ends.
    const unit = await this.resolver.resolve(view, params.level, params.unitCode, { kind: from.kind, first: from.first, last: to.last });
    assertKpiAccess(principal, unit);
    const report = await this.reader.series(view, unit, query.indicator, from, to, query.granularity ?? from.kind, acceptedStalenessMs(cacheControl));
    this.stamp(res, report.watermark);
    return report;
  }

  private async answer<T extends { watermark: Watermark }>(
    res: HeaderSettable,
    report: T,
    format: ExportFormat,
    table: () => ExportTable,
    nameParts: string[],
  ): Promise<T | StreamableFile> {
    this.stamp(res, report.watermark);
    res.setHeader('Vary', 'Accept');
    if (format === 'json') return report;
    const body = format === 'csv' ? toCsv(table()) : await toXlsx(table());
    return new StreamableFile(body, {
      type: format === 'csv' ? CSV_CONTENT_TYPE : XLSX_CONTENT_TYPE,
      disposition: contentDisposition(nameParts, format),
      length: body.length,
    });
  }

  private stamp(res: HeaderSettable, watermark: Watermark): void {
    res.setHeader(CHECKPOINT_HEADER, checkpointText(watermark) || 'none');
  }
}
