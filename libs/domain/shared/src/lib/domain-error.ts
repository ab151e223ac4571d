/**
 * Domain errors are values with a stable `code`: the HTTP layer maps codes to problem+json, clients
 * branch on them, and the domain never learns about HTTP. The list is closed so that a mapping
 * `Record<DomainErrorCode, …>` fails to compile when a code is added and not handled.
 */
export const DOMAIN_ERROR_CODES = [
  // input shape (normally caught by DTO validation first; the domain is still the authority)
  'INVALID_VALUE',
  'INVALID_ID',
  'INVALID_DATE',
  'INVALID_TIMESTAMP',
  'INVALID_PERIOD',
  // personal data: refs must be pseudonymous
  'INVALID_REF',
  'RAW_CITIZEN_ID_IN_REF',
  'RAW_PHONE_IN_REF',
  // registry
  'TEAM_NOT_FOUND',
  'TEAM_ALREADY_ESTABLISHED',
  'TEAM_DISSOLVED',
  'TEAM_ALREADY_HAS_LEADER',
  'MEMBER_ALREADY_IN_TEAM',
  'MEMBER_NOT_IN_TEAM',
  'DATE_OUT_OF_ORDER',
  // activities
  'TEAM_NOT_ACTIVE',
  'OCCURRED_IN_FUTURE',
  'MEMBERS_REQUIRED',
  'ACTIVITY_ID_CONFLICT',
  'ACTIVITY_NOT_FOUND',
  'RETRACTION_NOT_ALLOWED',
  'REASON_REQUIRED',
  'ALREADY_RETRACTED',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** The command field at fault (e.g. `householdRef`, `memberIds`), so a 4xx can name it. */
    readonly field?: string,
  ) {
    super(message);
  }

  toJSON(): { code: DomainErrorCode; message: string; field?: string } {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
