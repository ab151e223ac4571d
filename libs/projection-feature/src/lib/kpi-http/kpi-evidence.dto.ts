import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, ValidateBy, buildMessage } from 'class-validator';
import { INDICATORS, VIEWS, type View } from '@cdt/domain-kpi';
import { parsePeriod } from '@cdt/domain-shared';
import { evidenceKindOf } from './kpi-evidence';

export const MAX_EVIDENCE_PAGE = 1000;
export const DEFAULT_EVIDENCE_PAGE = 100;
const STORED = INDICATORS.filter((i) => evidenceKindOf(i.code) !== undefined).map((i) => i.code);

export class KpiEvidenceQueryDto {
  @ApiPropertyOptional({ enum: VIEWS, default: 'as-recorded' })
  @IsOptional()
  @IsIn(VIEWS, { message: `view must be one of ${VIEWS.join(', ')}` })
  view?: View;

  @ApiProperty({ example: '2026-11', description: 'a day, ISO week, month, quarter or year (Vietnam time)' })
  @ValidateBy({
    name: 'isPeriodKey',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parsePeriod(value) !== undefined,
      defaultMessage: buildMessage((prefix) => `${prefix}$property must be a day (2026-11-25), ISO week (2026-W48), month (2026-11), quarter (2026-Q4) or year (2026)`),
    },
  })
  period!: string;

  @ApiProperty({ example: 'household-visits', enum: STORED, description: 'A counted, distinct or stock indicator (ratios and coverage are derived: ask for their parts)' })
  @IsIn(STORED, { message: 'indicator must be a counted, distinct or stock indicator of the catalog (ratios and coverage are derived from these: ask for their parts), e.g. household-visits' })
  indicator!: string;

  @ApiPropertyOptional({ example: '7842/120331', description: 'Continue after this event position (`next` of the previous page)' })
  @IsOptional()
  @Matches(/^\d{1,20}\/\d{1,20}$/, { message: 'after must be a position <transactionId>/<globalPosition>, e.g. 7842/120331' })
  after?: string;

  @ApiPropertyOptional({ example: '100', description: `Events per page (default ${DEFAULT_EVIDENCE_PAGE}, at most ${MAX_EVIDENCE_PAGE})` })
  @IsOptional()
  @Matches(/^\d{1,4}$/, { message: `limit must be a whole number from 1 to ${MAX_EVIDENCE_PAGE}` })
  @ValidateBy({ name: 'pageSize', validator: { validate: (v: unknown) => Number(v) >= 1 && Number(v) <= MAX_EVIDENCE_PAGE, defaultMessage: () => `limit must be a whole number from 1 to ${MAX_EVIDENCE_PAGE}` } })
  limit?: string;
}
