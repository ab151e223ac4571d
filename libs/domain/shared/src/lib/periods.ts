import { DomainError } from './domain-error';
import { daysInMonth, epochDayOfDate, dateOfEpochDay, isCalendarDate, vietnamDate } from './time';

/**
 * KPI period keys, in Vietnam time (Asia/Ho_Chi_Minh, +07:00, no DST):
 *   day `2026-03-02`, ISO week `2026-W10`, month `2026-03`, quarter `2026-Q1`, year `2026`.
 * Every function takes a timestamp with offset or a Vietnam calendar date `YYYY-MM-DD`.
 */
export const PERIOD_KINDS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];
export type PeriodKeys = Readonly<Record<PeriodKind, string>>;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Monday = 1 … Sunday = 7 */
const isoWeekday = (epochDay: number): number => ((((epochDay + 3) % 7) + 7) % 7) + 1;

const isoWeekOf = (date: string): { weekYear: number; week: number } => {
  const epochDay = epochDayOfDate(date);
  const thursday = dateOfEpochDay(epochDay + 4 - isoWeekday(epochDay));
  const weekYear = Number(thursday.slice(0, 4));
  const dayOfYear = epochDayOfDate(thursday) - epochDayOfDate(`${pad(weekYear, 4)}-01-01`);
  return { weekYear, week: Math.floor(dayOfYear / 7) + 1 };
};

export const dayKey = (value: string): string => vietnamDate(value);
export const monthKey = (value: string): string => vietnamDate(value).slice(0, 7);
export const yearKey = (value: string): string => vietnamDate(value).slice(0, 4);
export const quarterKey = (value: string): string => {
  const date = vietnamDate(value);
  return `${date.slice(0, 4)}-Q${Math.ceil(Number(date.slice(5, 7)) / 3)}`;
};
export const weekKey = (value: string): string => {
  const { weekYear, week } = isoWeekOf(vietnamDate(value));
  return `${pad(weekYear, 4)}-W${pad(week)}`;
};

export const periodKey = (kind: PeriodKind, value: string): string => {
  switch (kind) {
    case 'day':
      return dayKey(value);
    case 'week':
      return weekKey(value);
    case 'month':
      return monthKey(value);
    case 'quarter':
      return quarterKey(value);
    case 'year':
      return yearKey(value);
    default: {
      const _exhaustive: never = kind;
      return _exhaustive;
    }
  }
};

/** All five keys at once: what a projection writes a delta under. */
export const periodKeys = (value: string): PeriodKeys => {
  const date = vietnamDate(value);
  return { day: date, week: weekKey(date), month: monthKey(date), quarter: quarterKey(date), year: yearKey(date) };
};

const weeksInYear = (year: number): number => isoWeekOf(`${pad(year, 4)}-12-28`).week;

export interface PeriodBounds {
  kind: PeriodKind;
  /** First and last Vietnam calendar day of the period, inclusive. */
  first: string;
  last: string;
}

/** Kind and first/last day of a period key, or undefined when the key is not a valid period. */
export const parsePeriod = (key: string): PeriodBounds | undefined => {
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})$/.exec(key))) return { kind: 'year', first: `${m[1]}-01-01`, last: `${m[1]}-12-31` };
  if ((m = /^(\d{4})-Q([1-4])$/.exec(key))) {
    const lastMonth = Number(m[2]) * 3;
    return {
      kind: 'quarter',
      first: `${m[1]}-${pad(lastMonth - 2)}-01`,
      last: `${m[1]}-${pad(lastMonth)}-${pad(daysInMonth(Number(m[1]), lastMonth))}`,
    };
  }
  if ((m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(key))) {
    return { kind: 'month', first: `${key}-01`, last: `${key}-${pad(daysInMonth(Number(m[1]), Number(m[2])))}` };
  }
  if ((m = /^(\d{4})-W(\d{2})$/.exec(key))) {
    const [year, week] = [Number(m[1]), Number(m[2])];
    if (year < 1000 || week < 1 || week > weeksInYear(year)) return undefined;
    const jan4 = epochDayOfDate(`${m[1]}-01-04`);
    const monday = jan4 - (isoWeekday(jan4) - 1) + (week - 1) * 7;
    return { kind: 'week', first: dateOfEpochDay(monday), last: dateOfEpochDay(monday + 6) };
  }
  if (isCalendarDate(key)) return { kind: 'day', first: key, last: key };
  return undefined;
};

export const periodKindOf = (key: string): PeriodKind | undefined => parsePeriod(key)?.kind;

/** Whether a timestamp or date falls inside a period, judged on its Vietnam calendar day. */
export const periodContains = (key: string, value: string): boolean => {
  const bounds = parsePeriod(key);
  if (!bounds) throw new DomainError('INVALID_PERIOD', `${key} is not a period key`, 'period');
  const date = vietnamDate(value);
  return date >= bounds.first && date <= bounds.last;
};
