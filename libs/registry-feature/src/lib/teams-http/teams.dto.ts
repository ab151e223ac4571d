import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { RELOCATION_REASONS, TEAM_ROLES, type RelocationReason, type TeamRole } from '@cdt/domain-registry';

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const COMMUNE = /^\d{5}$/;

/** Every registry write may pin the team stream version it was decided on (409 when stale). */
export class VersionedDto {
  @ApiPropertyOptional({ description: 'The team stream version read earlier; a stale one answers 409', example: 3 })
  @IsOptional() @IsInt() @Min(0)
  expectedVersion?: number;
}

export class EstablishTeamDto extends VersionedDto {
  @ApiProperty({ example: 'dt-28249-tan-hoa' }) @Matches(ID, { message: 'teamId must be letters, digits and _ . : -' })
  teamId!: string;
  @ApiProperty({ example: '28249', description: 'Five-digit commune code valid on establishedOn' }) @Matches(COMMUNE, { message: 'communeCode must be five digits' })
  communeCode!: string;
  @ApiProperty({ example: 'Ấp Tân Hòa' }) @IsString() @IsNotEmpty() @MaxLength(200)
  village!: string;
  @ApiProperty({ example: '2026-01-05' }) @Matches(DATE, { message: 'establishedOn must be YYYY-MM-DD' })
  establishedOn!: string;
}

export class JoinMemberDto extends VersionedDto {
  @ApiProperty({ example: 'm-0912' }) @Matches(ID, { message: 'memberId must be letters, digits and _ . : -' })
  memberId!: string;
  @ApiProperty({ enum: TEAM_ROLES }) @IsIn(TEAM_ROLES)
  role!: TeamRole;
  @ApiProperty({ description: 'Đoàn viên thanh niên' }) @IsBoolean()
  youthUnion!: boolean;
  @ApiProperty({ example: '2026-01-05' }) @Matches(DATE, { message: 'joinedOn must be YYYY-MM-DD' })
  joinedOn!: string;
}

export class LeaveMemberDto extends VersionedDto {
  @ApiProperty({ example: '2026-06-30', description: 'Last day in the team' }) @Matches(DATE, { message: 'leftOn must be YYYY-MM-DD' })
  leftOn!: string;
}

export class ChangeRoleDto extends VersionedDto {
  @ApiProperty({ enum: TEAM_ROLES }) @IsIn(TEAM_ROLES)
  role!: TeamRole;
  @ApiPropertyOptional({ description: 'Unchanged when left out' }) @IsOptional() @IsBoolean()
  youthUnion?: boolean;
  @ApiProperty({ example: '2026-03-01' }) @Matches(DATE, { message: 'on must be YYYY-MM-DD' })
  on!: string;
}

export class RelocateTeamDto extends VersionedDto {
  @ApiProperty({ example: '28249' }) @Matches(COMMUNE, { message: 'communeCode must be five digits' })
  communeCode!: string;
  @ApiProperty({ example: 'Ấp Tân Hòa' }) @IsString() @IsNotEmpty() @MaxLength(200)
  village!: string;
  @ApiProperty({ example: '2025-07-01' }) @Matches(DATE, { message: 'on must be YYYY-MM-DD' })
  on!: string;
  @ApiProperty({ enum: RELOCATION_REASONS }) @IsIn(RELOCATION_REASONS)
  reason!: RelocationReason;
}

export class DissolveTeamDto extends VersionedDto {
  @ApiProperty({ example: '2026-12-31' }) @Matches(DATE, { message: 'on must be YYYY-MM-DD' })
  on!: string;
  @ApiProperty({ example: 'merged into team dt-28249-an-binh' }) @IsString() @IsNotEmpty() @MaxLength(500)
  reason!: string;
}

export class PositionDto {
  @ApiProperty({ example: '7842' }) transactionId!: string;
  @ApiProperty({ example: '120331' }) globalPosition!: string;
}

export class TeamWriteResultDto {
  @ApiProperty() teamId!: string;
  @ApiProperty({ description: 'Team stream version after the write' }) version!: number;
  @ApiProperty({ type: PositionDto, nullable: true }) position!: PositionDto | null;
}
