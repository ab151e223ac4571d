import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, Matches, Min } from 'class-validator';

export class AssignTargetDto {
  @ApiProperty({ example: '82', description: 'Province (2 digits), district (3), commune (5), or VN' })
  @Matches(/^(?:VN|\d{2}|\d{3}|\d{5})$/, { message: 'unitCode must be a 2, 3 or 5 digit unit code, or VN' })
  unitCode!: string;
  @ApiProperty({ example: 'app-install.provincial-citizen-app' })
  @Matches(/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/, { message: 'indicator must be lowercase words joined by . or -' })
  indicator!: string;
  @ApiProperty({ example: '2026', description: 'Year, quarter (2026-Q3) or month (2026-09)' })
  @Matches(/^\d{4}(?:-Q[1-4]|-(?:0[1-9]|1[0-2]))?$/, { message: 'period must be 2026, 2026-Q3 or 2026-09' })
  period!: string;
  @ApiProperty({ example: 6800 }) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0)
  value!: number;
  @ApiPropertyOptional({ description: 'The unit stream version read earlier' }) @IsOptional() @IsInt() @Min(0)
  expectedVersion?: number;
}

export class TargetWriteResultDto {
  @ApiProperty() unitCode!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ nullable: true }) position!: { transactionId: string; globalPosition: string } | null;
}
