import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, ValidateBy, buildMessage, type ValidationOptions } from 'class-validator';
import { INDICATORS, LEVELS, VIEWS, isIndicatorCode, type Level, type View } from '@cdt/domain-kpi';
import { PERIOD_KINDS, parsePeriod, type PeriodKind } from '@cdt/domain-shared';
import { EXPORT_FORMATS, type ExportFormat } from './kpi-export';

const PERIOD_HELP = 'a day (2026-11-25), ISO week (2026-W48), month (2026-11), quarter (2026-Q4) or year (2026), Vietnam time';

const IsPeriodKey = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isPeriodKey',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parsePeriod(value) !== undefined,
        defaultMessage: buildMessage((prefix) => `${prefix}$property must be ${PERIOD_HELP}`, options),
      },
    },
    options,
  );

const IsIndicatorCode = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isIndicatorCode',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isIndicatorCode(value),
        defaultMessage: buildMessage((prefix) => `${prefix}$property must be a code of the indicator catalog (docs/domain/indicators.md), e.g. household-visits`, options),
      },
    },
    options,
  );

/** Comma-separated list parsing shared by the DTO check and the controller. */
export const listOf = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

const IsIndicatorList = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isIndicatorList',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && listOf(value).length > 0 && listOf(value).every(isIndicatorCode),
        defaultMessage: buildMessage(
          (prefix, args) => {
            const unknown = typeof args?.value === 'string' ? listOf(args.value).filter((code) => !isIndicatorCode(code)) : [];
            return `${prefix}$property must be comma-separated codes of the indicator catalog${unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''}`;
          },
          options,
        ),
      },
    },
    options,
  );

export const MAX_COMPARED_UNITS = 50;
const UNIT_REF = new RegExp(`^(${LEVELS.join('|')}):(.+)$`);

/** `province:82` → { level, unitCode }; undefined when the item is not `<level>:<code>`. */
export const parseUnitRef = (item: string): { level: Level; unitCode: string } | undefined => {
  const match = UNIT_REF.exec(item);
  return match ? { level: match[1] as Level, unitCode: match[2] } : undefined;
};

const IsUnitList = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isUnitList',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          const items = listOf(value);
          return items.length > 0 && items.length <= MAX_COMPARED_UNITS && items.every((item) => parseUnitRef(item) !== undefined);
        },
        defaultMessage: buildMessage(
          (prefix) => `${prefix}$property must be 1–${MAX_COMPARED_UNITS} comma-separated <level>:<unit code> items (level one of ${LEVELS.join(', ')}), e.g. province:82,province:79`,
          options,
        ),
      },
    },
    options,
  );

export class KpiUnitParamsDto {
  @ApiProperty({ enum: LEVELS, example: 'province' })
  @IsIn(LEVELS, { message: `level must be one of ${LEVELS.join(', ')}` })
  level!: Level;

  @ApiProperty({ example: '82', description: 'VN for the nation; an official code (province 2 digits, district 3, commune 5); `<commune>/<village>` (slash as %2F); or a team id' })
  @IsString()
  @Length(1, 300)
  unitCode!: string;
}

class ViewQuery {
  @ApiPropertyOptional({ enum: VIEWS, default: 'as-recorded', description: 'as-recorded: under the unit the team had on the day; current: all history under today\'s units' })
  @IsOptional()
  @IsIn(VIEWS, { message: `view must be one of ${VIEWS.join(', ')}` })
  view?: View;
}

export class KpiUnitQueryDto extends ViewQuery {
  @ApiProperty({ example: '2026-11', description: PERIOD_HELP })
  @IsPeriodKey()
  period!: string;

  @ApiPropertyOptional({ enum: EXPORT_FORMATS, description: 'csv or xlsx downloads the table (or send Accept: text/csv / the xlsx media type)' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS, { message: `format must be one of ${EXPORT_FORMATS.join(', ')}` })
  format?: ExportFormat;
}

export class KpiChildrenQueryDto extends KpiUnitQueryDto {
  @ApiProperty({ example: 'household-visits', enum: INDICATORS.map((i) => i.code) })
  @IsIndicatorCode()
  indicator!: string;

  @ApiPropertyOptional({ enum: LEVELS, description: 'Default: the next level down (nation → province → commune, or district before the reform → commune → village → team)' })
  @IsOptional()
  @IsIn(LEVELS, { message: `childLevel must be one of ${LEVELS.join(', ')}` })
  childLevel?: Level;
}

export class KpiSeriesQueryDto extends ViewQuery {
  @ApiProperty({ example: 'app-install.vneid', enum: INDICATORS.map((i) => i.code) })
  @IsIndicatorCode()
  indicator!: string;

  @ApiProperty({ example: '2026-01', description: `First period: ${PERIOD_HELP}` })
  @IsPeriodKey()
  from!: string;

  @ApiProperty({ example: '2026-11', description: 'Last period, any kind; the series covers from the first day of `from` to the last day of `to`' })
  @IsPeriodKey()
  to!: string;

  @ApiPropertyOptional({ enum: PERIOD_KINDS, description: 'Default: the kind of `from`. At most 400 points.' })
  @IsOptional()
  @IsIn(PERIOD_KINDS, { message: `granularity must be one of ${PERIOD_KINDS.join(', ')}` })
  granularity?: PeriodKind;
}

export class KpiCompareQueryDto extends ViewQuery {
  @ApiProperty({ example: 'province:82,province:79', description: `1–${MAX_COMPARED_UNITS} comma-separated <level>:<unit code>` })
  @IsUnitList()
  units!: string;

  @ApiProperty({ example: '2026-11', description: PERIOD_HELP })
  @IsPeriodKey()
  period!: string;

  @ApiPropertyOptional({ example: 'household-visits,app-install.vneid', description: 'Comma-separated indicator codes; default: the whole catalog' })
  @IsOptional()
  @IsIndicatorList()
  indicators?: string;
}

// ── responses ─────────────────────────────────────────────────────────────────────────────────────

export class CheckpointDto {
  @ApiProperty({ example: '7421', description: 'xid8 of the last transaction the figures include' }) transactionId!: string;
  @ApiProperty({ example: '10234', description: 'Global position of the last event the figures include' }) globalPosition!: string;
}

export class WatermarkDto {
  @ApiProperty({ type: CheckpointDto, nullable: true, description: 'Where the read model stood in the event log; null before its first batch' })
  checkpoint!: CheckpointDto | null;
  @ApiProperty({ description: 'True when the figures are exactly those of this checkpoint (it did not move while they were read)' })
  exact!: boolean;
  @ApiProperty({
    description:
      'True when the read model has moved past this checkpoint since the figures were computed: served at once because the request sent `Cache-Control: max-stale[=seconds]`, while the current figures are computed. Without that directive the figures are always those of the current checkpoint.',
  })
  stale!: boolean;
}

export class IndicatorValueDto {
  @ApiProperty({ example: 'app-install.vneid' }) code!: string;
  @ApiProperty({ example: 'Lượt hỗ trợ cài đặt VNeID' }) nameVi!: string;
  @ApiProperty({ example: 'VNeID install assists' }) nameEn!: string;
  @ApiProperty({ example: 'installs' }) unit!: string;
  @ApiProperty({ nullable: true, example: 6800, description: 'Ratios are fractions (0.25); null when a ratio\'s denominator is 0 or unknown' }) value!: number | null;
  @ApiPropertyOptional() numerator?: number;
  @ApiPropertyOptional() denominator?: number;
  @ApiPropertyOptional({ example: 4800, description: 'The unit\'s target for exactly this period' }) target?: number;
  @ApiPropertyOptional({ example: 141.7, description: 'value / target in percent, one decimal' }) attainmentPct?: number;
}

export class UnitKpiDto {
  @ApiProperty({ enum: LEVELS }) level!: Level;
  @ApiProperty({ example: '82' }) unitCode!: string;
  @ApiProperty({ example: 'Đồng Tháp' }) unitName!: string;
  @ApiProperty({ enum: VIEWS, description: 'Which view answered' }) view!: View;
  @ApiProperty({ example: '2026-11' }) period!: string;
  @ApiProperty({ enum: PERIOD_KINDS }) periodKind!: PeriodKind;
  @ApiProperty({ example: '2026-11-01' }) firstDay!: string;
  @ApiProperty({ example: '2026-11-30' }) lastDay!: string;
  @ApiPropertyOptional({ enum: ['pre-2025', '2025'], description: 'The official hierarchy the unit code was read in' }) hierarchy?: string;
  @ApiProperty({ type: WatermarkDto }) watermark!: WatermarkDto;
  @ApiProperty({ type: [IndicatorValueDto] }) indicators!: IndicatorValueDto[];
}

export class IndicatorHeaderDto {
  @ApiProperty() code!: string;
  @ApiProperty() nameVi!: string;
  @ApiProperty() nameEn!: string;
  @ApiProperty() unit!: string;
}

export class RankedChildDto {
  @ApiProperty({ example: 1, description: 'Equal values share a rank (1, 2, 2, 4)' }) rank!: number;
  @ApiProperty({ enum: LEVELS }) level!: Level;
  @ApiProperty({ example: '28249' }) unitCode!: string;
  @ApiProperty({ example: 'Phường Đạo Thạnh' }) unitName!: string;
  @ApiProperty({ nullable: true }) value!: number | null;
  @ApiPropertyOptional() target?: number;
  @ApiPropertyOptional() attainmentPct?: number;
}

export class ChildrenKpiDto {
  @ApiProperty({ enum: LEVELS }) level!: Level;
  @ApiProperty() unitCode!: string;
  @ApiProperty() unitName!: string;
  @ApiProperty({ enum: VIEWS }) view!: View;
  @ApiProperty() period!: string;
  @ApiProperty({ enum: LEVELS }) childLevel!: Level;
  @ApiProperty({ type: IndicatorHeaderDto }) indicator!: IndicatorHeaderDto;
  @ApiProperty({ type: WatermarkDto }) watermark!: WatermarkDto;
  @ApiProperty({ type: [RankedChildDto], description: 'Official children without figures are listed at 0' }) children!: RankedChildDto[];
}

export class SeriesPointDto {
  @ApiProperty({ example: '2026-11' }) period!: string;
  @ApiProperty({ type: IndicatorValueDto }) value!: IndicatorValueDto;
}

export class SeriesKpiDto {
  @ApiProperty({ enum: LEVELS }) level!: Level;
  @ApiProperty() unitCode!: string;
  @ApiProperty() unitName!: string;
  @ApiProperty({ enum: VIEWS }) view!: View;
  @ApiProperty({ type: IndicatorHeaderDto }) indicator!: IndicatorHeaderDto;
  @ApiProperty({ enum: PERIOD_KINDS }) granularity!: PeriodKind;
  @ApiProperty({ example: '2026-01' }) from!: string;
  @ApiProperty({ example: '2026-11' }) to!: string;
  @ApiProperty({ type: WatermarkDto }) watermark!: WatermarkDto;
  @ApiProperty({ type: [SeriesPointDto] }) points!: SeriesPointDto[];
}

export class ComparedUnitDto {
  @ApiProperty({ enum: LEVELS }) level!: Level;
  @ApiProperty() unitCode!: string;
  @ApiProperty() unitName!: string;
  @ApiProperty({ type: [IndicatorValueDto] }) indicators!: IndicatorValueDto[];
}

export class CompareKpiDto {
  @ApiProperty({ enum: VIEWS }) view!: View;
  @ApiProperty() period!: string;
  @ApiProperty({ type: WatermarkDto }) watermark!: WatermarkDto;
  @ApiProperty({ type: [ComparedUnitDto], description: 'In the order asked' }) units!: ComparedUnitDto[];
}
