import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';

const PERIOD = /^\d{4}(?:-Q[1-4]|-(?:0[1-9]|1[0-2]))?$/;
const CODE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export class PublishCriteriaQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: validate and checksum only, append nothing' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'dryRun must be true or false' })
  dryRun?: 'true' | 'false';
}

export class CriteriaCodeParamsDto {
  @ApiProperty({ example: 'example-team-province-quarter' })
  @Matches(CODE, { message: 'code must be letters, digits and _ . : -' })
  code!: string;
}

export class CriteriaVersionParamsDto extends CriteriaCodeParamsDto {
  @ApiProperty({ example: 1 }) @Type(() => Number) @IsInt() @Min(1)
  version!: number;
}

export class RunAreaDto {
  @ApiProperty({ enum: ['commune', 'province', 'nation'], example: 'province' })
  @IsIn(['commune', 'province', 'nation'], { message: 'area.level must be commune, province or nation' })
  level!: 'commune' | 'province' | 'nation';
  @ApiProperty({ example: '82', description: 'Official code of today (2025) hierarchy, or VN' })
  @Matches(/^(?:VN|\d{2}|\d{5})$/, { message: 'area.code must be VN, a 2-digit province or a 5-digit commune code' })
  code!: string;
}

export class RunEvaluationDto {
  @ApiProperty({ example: 'example-team-province-quarter' })
  @Matches(CODE, { message: 'criteriaCode must be letters, digits and _ . : -' })
  criteriaCode!: string;
  @ApiPropertyOptional({ description: 'Default: the newest version in effect on the last day of the period' })
  @IsOptional() @IsInt() @Min(1)
  criteriaVersion?: number;
  @ApiProperty({ example: '2026-Q4', description: 'Month, quarter or year, of the kind the set ranks by' })
  @Matches(PERIOD, { message: 'period must be 2026, 2026-Q4 or 2026-11' })
  period!: string;
  @ApiProperty({ type: RunAreaDto, description: 'Every unit of the set\'s level inside this unit is scored' })
  @ValidateNested() @Type(() => RunAreaDto)
  area!: RunAreaDto;
  @ApiPropertyOptional({ description: 'Your id for the run: a retried request with it runs nothing twice' })
  @IsOptional() @IsUUID()
  runId?: string;
  @ApiPropertyOptional({ description: 'The published run this one corrects (needs a reason)' })
  @IsOptional() @IsUUID()
  supersedes?: string;
  @ApiPropertyOptional({ description: 'Why the published ranking is corrected; required with supersedes' })
  @IsOptional() @IsString() @MinLength(3) @MaxLength(2000)
  reason?: string;
}

export class RunParamsDto {
  @ApiProperty() @IsUUID()
  runId!: string;
}

export class RankingQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx'] })
  @IsOptional()
  @IsIn(['json', 'csv', 'xlsx'], { message: 'format must be json, csv or xlsx' })
  format?: 'json' | 'csv' | 'xlsx';
}

export class RunListQueryDto {
  @ApiPropertyOptional({ example: '2026-Q4' }) @IsOptional() @Matches(PERIOD, { message: 'period must be 2026, 2026-Q4 or 2026-11' })
  period?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(CODE, { message: 'criteriaCode must be letters, digits and _ . : -' })
  criteriaCode?: string;
  @ApiPropertyOptional({ enum: ['draft', 'published', 'superseded'] })
  @IsOptional() @IsIn(['draft', 'published', 'superseded'], { message: 'status must be draft, published or superseded' })
  status?: 'draft' | 'published' | 'superseded';
}

export class AwardsQueryDto {
  @ApiPropertyOptional({ example: '2026-Q4' }) @IsOptional() @Matches(PERIOD, { message: 'period must be 2026, 2026-Q4 or 2026-11' })
  period?: string;
  @ApiPropertyOptional({ enum: ['team', 'commune', 'province'] })
  @IsOptional() @IsIn(['team', 'commune', 'province'], { message: 'level must be team, commune or province' })
  level?: 'team' | 'commune' | 'province';
}

export class WriteResultDto {
  @ApiProperty() runId!: string;
  @ApiProperty({ enum: ['created', 'duplicate'] }) status!: string;
}
