import type { Hierarchy, IsoDate } from './admin-unit';

/** The first day of the 34-province, two-level hierarchy. */
export const REFORM_DATE: IsoDate = '2025-07-01';
/** The last day of the 63-province, three-level hierarchy. */
export const LAST_DAY_BEFORE_REFORM: IsoDate = '2025-06-30';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const isIsoDate = (value: string): boolean => {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
};

export const requireIsoDate = (value: string, what = 'date'): IsoDate => {
  if (!isIsoDate(value)) throw new RangeError(`${what} must be a calendar date 'YYYY-MM-DD', got '${value}'`);
  return value;
};

/** Which hierarchy is in force on a day. ISO dates compare correctly as strings. */
export const hierarchyOn = (on: IsoDate): Hierarchy => (requireIsoDate(on, 'on') < REFORM_DATE ? 'pre-2025' : '2025');

/** Inclusive on both ends; an open end is unbounded. */
export const isWithin = (on: IsoDate, validFrom?: IsoDate, validTo?: IsoDate): boolean =>
  (validFrom === undefined || validFrom <= on) && (validTo === undefined || on <= validTo);
