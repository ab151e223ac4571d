import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches, ValidateBy, buildMessage, type ValidationOptions } from 'class-validator';
import { isCalendarDate, isTimestamp } from '@cdt/domain-shared';

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
/** The stream kinds of ARCHITECTURE.md; anything else cannot name a stream. */
export const STREAM_NAME = /^(ledger|(team|activity|unit|criteria|evaluation|subject|ranking)-[A-Za-z0-9][A-Za-z0-9_.:-]{0,150})$/;
const CHECKPOINT = /^\d{1,20}\/\d{1,20}$/;
const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9]{0,99}$/;

const check = (name: string, validate: (value: unknown) => boolean, message: string, options?: ValidationOptions): PropertyDecorator =>
  ValidateBy({ name, validator: { validate, defaultMessage: buildMessage((prefix) => `${prefix}$property ${message}`, options) } }, options);

const wholeIn = (min: number, max: number) => (value: unknown) => typeof value === 'string' && /^\d{1,10}$/.test(value) && Number(value) >= min && Number(value) <= max;

const IsPageSize = (): PropertyDecorator => check('isPageSize', wholeIn(1, MAX_PAGE), `must be a whole number from 1 to ${MAX_PAGE}`);
const IsInstant = (): PropertyDecorator => check('isInstant', isTimestamp, 'must be an ISO-8601 timestamp with an offset, e.g. 2026-03-02T09:00:00+07:00');
const IsDayOrInstant = (): PropertyDecorator =>
  check('isDayOrInstant', (value) => isCalendarDate(value) || isTimestamp(value), 'must be a day YYYY-MM-DD (Vietnam time) or an ISO-8601 timestamp with an offset');
const IsTypeList = (): PropertyDecorator =>
  check('isTypeList', (value) => typeof value === 'string' && value.split(',').every((type) => EVENT_TYPE.test(type)), 'must be comma-separated event types, e.g. MemberJoined,HouseholdVisitRecorded');

export const splitList = (value: string): string[] => value.split(',');

export class StreamParamsDto {
  @ApiProperty({ example: 'team-dt-28249-tan-hoa', description: 'ledger, or team-, activity-, unit-, criteria-, evaluation- followed by an id' })
  @Matches(STREAM_NAME, { message: 'streamName must be ledger or <team|activity|unit|criteria|evaluation|subject|ranking>-<id>' })
  streamName!: string;
}

export class StreamHistoryQueryDto {
  @ApiPropertyOptional({ example: '1', description: 'First stream version to return (default 1)' })
  @IsOptional() @(check('isVersion', wholeIn(1, 2_000_000_000), 'must be a whole number from 1'))
  fromVersion?: string;
  @ApiPropertyOptional({ example: '100', description: `Events per page (default ${DEFAULT_PAGE}, at most ${MAX_PAGE})` })
  @IsOptional() @IsPageSize()
  limit?: string;
  @ApiPropertyOptional({ example: '2026-03-31T23:59:59+07:00', description: 'Only events recorded at or before this instant' })
  @IsOptional() @IsInstant()
  asOf?: string;
}

export class TeamParamsDto {
  @ApiProperty({ example: 'dt-28249-tan-hoa' }) @Matches(ID, { message: 'teamId must be letters, digits and _ . : -' })
  teamId!: string;
}

export class TeamAsOfQueryDto {
  @ApiProperty({ example: '2026-03-31', description: 'Fold the events recorded by the end of this day in Vietnam (+07:00)' })
  @(check('isCalendarDate', isCalendarDate, 'must be a calendar date YYYY-MM-DD'))
  date!: string;
}

export class LogQueryDto {
  @ApiPropertyOptional({ example: '7842/120331', description: 'Checkpoint <transactionId>/<globalPosition> to continue after (`next` of the previous page); the start when left out' })
  @IsOptional() @Matches(CHECKPOINT, { message: 'after must be a checkpoint <transactionId>/<globalPosition>, e.g. 7842/120331' })
  after?: string;
  @ApiPropertyOptional({ example: '100', description: `Events read per page (default ${DEFAULT_PAGE}, at most ${MAX_PAGE})` })
  @IsOptional() @IsPageSize()
  limit?: string;
  @ApiPropertyOptional({ example: 'MemberJoined,HouseholdVisitRecorded' })
  @IsOptional() @IsTypeList()
  types?: string;
  @ApiPropertyOptional({ example: 'activity-', description: 'Only streams whose name starts with this' })
  @IsOptional() @Matches(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,150}$/, { message: 'streamPrefix must be letters, digits and _ . : -' })
  streamPrefix?: string;
  @ApiPropertyOptional({ example: 'dt-28249-tan-hoa', description: "Only this team's streams: team-<id> and activity-<id>-<yyyy-mm>" })
  @IsOptional() @Matches(ID, { message: 'team must be letters, digits and _ . : -' })
  team?: string;
  @ApiPropertyOptional({ example: '82', description: 'Only events of teams in this unit (province 2 digits, pre-2025 district 3, commune 5) and its targets, the code read on each event\'s own day: 82 is Tiền Giang before 2025-07-01, Đồng Tháp after' })
  @IsOptional() @Matches(/^(\d{2}|\d{3}|\d{5})$/, { message: 'unit must be a province (2 digits), district (3) or commune (5) code' })
  unit?: string;
  @ApiPropertyOptional({ example: '2026-03-01', description: 'recordedAt from (a day: its start in Vietnam), applied to the page read' })
  @IsOptional() @IsDayOrInstant()
  from?: string;
  @ApiPropertyOptional({ example: '2026-03-31', description: 'recordedAt up to (a day: its end in Vietnam), applied to the page read' })
  @IsOptional() @IsDayOrInstant()
  to?: string;
}
