import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateBy, buildMessage, type ValidationOptions } from 'class-validator';
import { isIsoDate, type Hierarchy, type SuccessionKind, type UnitLevel } from '@cdt/admin-units';

/** 'YYYY-MM-DD' and a real day of the calendar (2025-02-30 is refused, not rolled over). */
export const IsCalendarDate = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isIsoDate(value),
        defaultMessage: buildMessage((prefix) => `${prefix}$property must be a calendar date YYYY-MM-DD`, options),
      },
    },
    options,
  );

export class UnitOnQueryDto {
  @ApiProperty({ example: '2025-07-01', description: 'The day the code is read on: before 2025-07-01 the pre-2025 hierarchy, from then the 2025 one' })
  @IsCalendarDate()
  on!: string;
}

export class UnitDto {
  @ApiProperty({ example: '28249' }) code!: string;
  @ApiProperty({ example: 'Phường Đạo Thạnh' }) name!: string;
  @ApiProperty({ enum: ['province', 'district', 'commune'] }) level!: UnitLevel;
  @ApiProperty({ enum: ['pre-2025', '2025'] }) hierarchy!: Hierarchy;
  @ApiPropertyOptional({ example: '82', description: 'The unit directly above (a district before 2025-07-01)' }) parentCode?: string;
  @ApiProperty({ example: '82' }) provinceCode!: string;
  @ApiPropertyOptional({ example: '2025-07-01' }) validFrom?: string;
  @ApiPropertyOptional({ example: '2025-06-30' }) validTo?: string;
}

export class SuccessorDto {
  @ApiProperty({ example: '28249' }) code!: string;
  @ApiProperty({ example: 'Phường Đạo Thạnh' }) name!: string;
  @ApiProperty({ example: '82' }) provinceCode!: string;
  @ApiProperty({ example: 'Đồng Tháp' }) provinceName!: string;
  @ApiProperty({ enum: ['whole', 'partial'], description: 'partial: the old commune was split and this new one got a part' }) kind!: SuccessionKind;
  @ApiProperty({ description: 'The successor the official mapping lists against the old code' }) primary!: boolean;
}

export class PredecessorDto {
  @ApiProperty({ example: '28252' }) code!: string;
  @ApiProperty({ example: 'Phường 4' }) name!: string;
  @ApiProperty({ example: '815' }) districtCode!: string;
  @ApiProperty({ example: '82' }) provinceCode!: string;
  @ApiProperty({ enum: ['whole', 'partial'] }) kind!: SuccessionKind;
}

export class UnitOnDayDto extends UnitDto {
  @ApiProperty({ example: '2025-07-01' }) on!: string;
  @ApiProperty({ type: [UnitDto], description: 'Nearest first: [district, province] before 2025-07-01, [province] after' }) ancestors!: UnitDto[];
  @ApiPropertyOptional({ type: [SuccessorDto], description: 'A pre-2025 commune only: the 2025 communes it went into, primary first (may be empty)' })
  successors?: SuccessorDto[];
  @ApiPropertyOptional({ type: [PredecessorDto], description: 'A 2025 commune only: the pre-2025 communes that went into it' })
  predecessors?: PredecessorDto[];
}

export class UnitChildrenDto {
  @ApiProperty({ example: '82' }) code!: string;
  @ApiProperty({ example: '2025-07-01' }) on!: string;
  @ApiProperty({ enum: ['pre-2025', '2025'] }) hierarchy!: Hierarchy;
  @ApiProperty({ type: [UnitDto], description: 'Ordered by code; empty for a commune' }) children!: UnitDto[];
}
