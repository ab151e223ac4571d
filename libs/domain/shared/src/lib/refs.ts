import { DomainError } from './domain-error';

/**
 * Events never hold a raw citizen ID, phone number or name (Decree 13/2023/NĐ-CP). A subject is named
 * by a pseudonymous ref: HMAC-SHA256 under a key the ledger never sees, as 64 lowercase hex chars.
 * A client that sends the raw value by mistake gets a code saying exactly what it sent, so the bug is
 * found on the first call, and the message never echoes the value back into logs.
 */
const PSEUDONYMOUS_REF = /^[0-9a-f]{64}$/;
// Separators people type inside numbers; stripped before recognising a raw identifier.
const SEPARATORS = /[\s.\-()]/g;
// Mobile: 0 + 3/5/7/8/9 + 8 digits; landline: 0 + 2 + 9 digits; with +84 / 84 instead of the 0.
const VIETNAMESE_PHONE = /^(?:\+?84|0)(?:[35789]\d{8}|2\d{9})$/;
// Căn cước / CCCD: 12 digits; the old CMND: 9 digits.
const CITIZEN_ID = /^(?:\d{12}|\d{9})$/;

export type RefProblem = 'RAW_PHONE_IN_REF' | 'RAW_CITIZEN_ID_IN_REF' | 'INVALID_REF';

export const isPseudonymousRef = (value: unknown): value is string =>
  typeof value === 'string' && PSEUDONYMOUS_REF.test(value);

/** Why a value is not a ref, or undefined when it is one. */
export const refProblem = (value: unknown): RefProblem | undefined => {
  if (isPseudonymousRef(value)) return undefined;
  if (typeof value !== 'string') return 'INVALID_REF';
  const compact = value.replace(SEPARATORS, '');
  // Phone first: a 12-digit citizen ID starts with a 0-prefixed province code and never matches it.
  if (VIETNAMESE_PHONE.test(compact)) return 'RAW_PHONE_IN_REF';
  if (CITIZEN_ID.test(compact)) return 'RAW_CITIZEN_ID_IN_REF';
  return 'INVALID_REF';
};

const MESSAGES: Record<RefProblem, string> = {
  RAW_PHONE_IN_REF: 'looks like a raw phone number; send its keyed HMAC-SHA256 instead',
  RAW_CITIZEN_ID_IN_REF: 'looks like a raw citizen ID number; send its keyed HMAC-SHA256 instead',
  INVALID_REF: 'must be a pseudonymous ref: HMAC-SHA256 as 64 lowercase hex characters',
};

/** Returns the ref, or throws a DomainError naming the field. */
export const requireRef = (value: unknown, field: string): string => {
  const problem = refProblem(value);
  if (problem) throw new DomainError(problem, `${field} ${MESSAGES[problem]}`, field);
  return value as string;
};
