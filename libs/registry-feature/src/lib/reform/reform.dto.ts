import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { VersionedDto } from '../teams-http/teams.dto';

export class ReformProposalsQueryDto {
  @ApiProperty({ example: '82', description: 'A 2025 province (34 of them); an officer may ask only for its own' })
  @Matches(/^\d{2}$/, { message: 'provinceCode must be two digits' })
  provinceCode!: string;
}

export class ConfirmReformDto extends VersionedDto {
  @ApiProperty({ example: '28249', description: 'One of the candidates of the proposal (the one successor when the old commune went whole)' })
  @Matches(/^\d{5}$/, { message: 'communeCode must be five digits' })
  communeCode!: string;
  @ApiPropertyOptional({ example: 'Ấp Tân Hòa', description: 'The team’s village under the new commune; unchanged when left out' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200)
  village?: string;
}

export class RelocationTargetDto {
  @ApiProperty({ example: '28249' }) communeCode!: string;
  @ApiProperty({ example: 'Phường Đạo Thạnh' }) communeName!: string;
  @ApiProperty({ example: '82' }) provinceCode!: string;
  @ApiProperty({ example: 'Đồng Tháp' }) provinceName!: string;
}

export class ReformProposalDto {
  @ApiProperty({ enum: ['whole', 'partial', 'unknown'], description: 'whole: move to `to`; partial: the officer chooses one of `candidates`; unknown: no successor in the mapping' })
  kind!: 'whole' | 'partial' | 'unknown';
  @ApiPropertyOptional({ type: RelocationTargetDto }) to?: RelocationTargetDto;
  @ApiPropertyOptional({ type: [RelocationTargetDto], description: 'Primary successor first' }) candidates?: RelocationTargetDto[];
  @ApiPropertyOptional() detail?: string;
}

export class TeamReformProposalDto {
  @ApiProperty() teamId!: string;
  @ApiProperty({ example: '28252', description: 'The pre-2025 commune the team is still registered in' }) communeCode!: string;
  @ApiProperty({ example: 'Phường 4' }) communeName!: string;
  @ApiProperty({ example: '815' }) districtCode!: string;
  @ApiProperty() village!: string;
  @ApiProperty({ example: '2024-03-01', description: 'Since when the team is registered there' }) since!: string;
  @ApiProperty({ type: ReformProposalDto }) proposal!: ReformProposalDto;
}

export class ReformProposalsDto {
  @ApiProperty({ example: '82' }) provinceCode!: string;
  @ApiProperty({ type: [TeamReformProposalDto] }) proposals!: TeamReformProposalDto[];
}
