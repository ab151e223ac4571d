import { DomainError } from './domain-error';

/**
 * Time values arrive as strings in commands; the domain never reads a clock. Two kinds:
 * - timestamps: ISO-8601 with an explicit offset (`2026-03-02T09:00:00+07:00`), because a field
 *   device's wall-clock time is meaningless without it;
 * - calendar dates: `YYYY-MM-DD`, a day in Vietnam (registry facts such as "joined on").
 * `Date.parse` is not used for validation: it silently turns 2024-02-30 into 1 March.
 */

/**
 * Resolution 202/2025/QH15: from this day Vietnam has 34 provinces and 3,321 communes, and districts are
 * gone. Unit codes before and after it belong to different hierarchies, and many were reused: commune
 * 00004 is Trúc Bạch until 2025-06-30 and Ba Đình from 2025-07-01.
 */
export const ADMINISTRATIVE_REFORM_DAY = '2025-07-01';

/** Whether two calendar dates (YYYY-MM-DD) fall on the same side of the 2025 reform. */
export const sameUnitHierarchy = (a: string, b: string): boolean => (a < ADMINISTRATIVE_REFORM_DAY) === (b < ADMINISTRATIVE_REFORM_DAY);

/** Vietnam is UTC+07:00 all year (no DST), so local dates are pure arithmetic. */
export const VIETNAM_OFFSET_MINUTES = 7 * 60;

const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const daysInMonth = (year: number, month: number): number =>
  new Date(Date.UTC(year, month, 0)).getUTCDate();

const validYmd = (year: number, month: number, day: number): boolean =>
  year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);

/** Epoch milliseconds of a valid timestamp, or undefined when it is not one. */
export const timestampToEpochMs = (value: string): number | undefined => {
  const m = TIMESTAMP.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  const offsetHours = m[9] === undefined ? 0 : Number(m[9]);
  const offsetMinutes = m[10] === undefined ? 0 : Number(m[10]);
  if (!validYmd(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  if (offsetHours > 14 || offsetMinutes > 59) return undefined;
  const offset = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset * MS_PER_MINUTE;
};

export const isTimestamp = (value: unknown): value is string =>
  typeof value === 'string' && timestampToEpochMs(value) !== undefined;

export const isCalendarDate = (value: unknown): value is string => {
  if (typeof value !== 'string') return false;
  const m = CALENDAR_DATE.exec(value);
  return m !== null && validYmd(Number(m[1]), Number(m[2]), Number(m[3]));
};

/** Epoch ms of a timestamp, or a DomainError naming the field. */
export const requireTimestamp = (value: unknown, field: string): number => {
  const epochMs = typeof value === 'string' ? timestampToEpochMs(value) : undefined;
  if (epochMs === undefined) {
    throw new DomainError(
      'INVALID_TIMESTAMP',
      `${field} must be an ISO-8601 timestamp with an offset, e.g. 2026-03-02T09:00:00+07:00`,
      field,
    );
  }
  return epochMs;
};

export const requireCalendarDate = (value: unknown, field: string): string => {
  if (!isCalendarDate(value)) {
    throw new DomainError('INVALID_DATE', `${field} must be a calendar date YYYY-MM-DD`, field);
  }
  return value;
};

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of a UTC-midnight-based day number (days since 1970-01-01). */
export const dateOfEpochDay = (epochDay: number): string => {
  const d = new Date(epochDay * MS_PER_DAY);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
};

/** Days since 1970-01-01 of a calendar date (assumed valid). */
export const epochDayOfDate = (date: string): number =>
  Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / MS_PER_DAY;

/**
 * The calendar day in Vietnam (+07:00) of a timestamp; a calendar date is returned as is. Membership,
 * team activity and every KPI period are judged on this day, whatever offset the device sent.
 */
export const vietnamDate = (value: string): string => {
  if (isCalendarDate(value)) return value;
  const epochMs = requireTimestamp(value, 'timestamp');
  return dateOfEpochDay(Math.floor((epochMs + VIETNAM_OFFSET_MINUTES * MS_PER_MINUTE) / MS_PER_DAY));
};
