import { DomainError } from './domain-error';

/** Small field checks every decider needs; each throws a DomainError naming the field. */

export const requireOneOf = <T extends string>(allowed: readonly T[], value: unknown, field: string): T => {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new DomainError('INVALID_VALUE', `${field} must be one of ${allowed.join(', ')}`, field);
  }
  return value as T;
};

export const requireBoolean = (value: unknown, field: string): boolean => {
  if (typeof value !== 'boolean') throw new DomainError('INVALID_VALUE', `${field} must be true or false`, field);
  return value;
};

/** A free-text reason, trimmed; empty or blank is REASON_REQUIRED. */
export const requireReason = (value: unknown, field = 'reason'): string => {
  const reason = typeof value === 'string' ? value.trim() : '';
  if (reason.length === 0) throw new DomainError('REASON_REQUIRED', `${field} must not be empty`, field);
  return reason;
};
