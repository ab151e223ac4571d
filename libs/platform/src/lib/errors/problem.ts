import { HttpException } from '@nestjs/common';
import { DomainErrorCode, isDomainError } from '@cdt/domain-shared';
import { EventIdConflictError, WrongExpectedVersionError } from '@cdt/event-store';

/** One field at fault: `field` is the full dotted path into the request body (`items.3.memberIds`). */
export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

/** An RFC 9457 problem details body, plus a stable machine `code` clients branch on. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  errors?: FieldProblem[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_TYPE_BASE = 'https://cdt-ledger.gov.vn/problems/';

export interface ProblemInit {
  status: number;
  code: string;
  /** Defaults to the code in words (`MEMBER_NOT_IN_TEAM` → "Member not in team"). */
  title?: string;
  detail?: string;
  /** Shorthand for one entry in `errors` naming this field with this code and detail. */
  field?: string;
  errors?: FieldProblem[];
}

/** Throw from anywhere in the HTTP layer: the problem filter renders it as it is. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly problem: Problem;

  constructor(init: ProblemInit) {
    super(init.detail ?? init.title ?? init.code);
    this.problem = problemOf(init);
  }
}

export const isProblemError = (error: unknown): error is ProblemError => error instanceof ProblemError;

export function problemOf(init: ProblemInit): Problem {
  const errors =
    init.errors ?? (init.field === undefined ? undefined : [{ field: init.field, code: init.code, message: init.detail ?? titleOf(init.code) }]);
  return {
    type: PROBLEM_TYPE_BASE + init.code.toLowerCase().replace(/_/g, '-'),
    title: init.title ?? titleOf(init.code),
    status: init.status,
    ...(init.detail === undefined ? {} : { detail: init.detail }),
    code: init.code,
    ...(errors === undefined || errors.length === 0 ? {} : { errors }),
  };
}

const titleOf = (code: string): string => {
  const words = code.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/**
 * HTTP status of each domain code. A `Record` over the closed code list, so a new code fails to
 * compile until someone decides its status. Unknown things → 404; a clash with what is stored → 409;
 * every other broken rule → 422.
 */
export const DOMAIN_ERROR_STATUS: Readonly<Record<DomainErrorCode, 404 | 409 | 422>> = {
  INVALID_VALUE: 422,
  INVALID_ID: 422,
  INVALID_DATE: 422,
  INVALID_TIMESTAMP: 422,
  INVALID_PERIOD: 422,
  INVALID_REF: 422,
  RAW_CITIZEN_ID_IN_REF: 422,
  RAW_PHONE_IN_REF: 422,
  TEAM_NOT_FOUND: 404,
  TEAM_ALREADY_ESTABLISHED: 409,
  TEAM_DISSOLVED: 422,
  TEAM_ALREADY_HAS_LEADER: 422,
  MEMBER_ALREADY_IN_TEAM: 422,
  MEMBER_NOT_IN_TEAM: 422,
  DATE_OUT_OF_ORDER: 422,
  TEAM_NOT_ACTIVE: 422,
  OCCURRED_IN_FUTURE: 422,
  MEMBERS_REQUIRED: 422,
  ACTIVITY_ID_CONFLICT: 409,
  ACTIVITY_NOT_FOUND: 404,
  RETRACTION_NOT_ALLOWED: 422,
  REASON_REQUIRED: 422,
  ALREADY_RETRACTED: 422,
};

/** Codes for the statuses Nest and Express raise themselves (unknown route, wrong method, …). */
const HTTP_STATUS_CODES: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_CONTENT',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

export const INTERNAL_PROBLEM: Problem = problemOf({
  status: 500,
  code: 'INTERNAL',
  title: 'Internal error',
  detail: 'The server failed to handle the request; it has been logged.',
});

/**
 * Turns any thrown value into the problem body a client gets. Pure: no logging, no throwing, so a
 * batch endpoint can call it per item. Anything unrecognised becomes a bare 500 that leaks nothing
 * (the caller logs the original).
 */
export function problemFromError(error: unknown): Problem {
  if (isProblemError(error)) return error.problem;
  if (isDomainError(error)) {
    return problemOf({ status: DOMAIN_ERROR_STATUS[error.code], code: error.code, detail: error.message, field: error.field });
  }
  if (error instanceof WrongExpectedVersionError) {
    return problemOf({
      status: 409,
      code: 'WRONG_EXPECTED_VERSION',
      title: 'Stale expected version',
      detail: `the stream is at version ${error.actual}, the request expected ${String(error.expected)}: read it again and retry`,
      field: 'expectedVersion',
    });
  }
  if (error instanceof EventIdConflictError) {
    return problemOf({
      status: 409,
      code: 'EVENT_ID_CONFLICT',
      detail: 'an id in this request was already used for something else',
    });
  }
  const bodyParserProblem = problemFromBodyParserError(error);
  if (bodyParserProblem !== undefined) return bodyParserProblem;
  if (error instanceof HttpException) return problemFromHttpException(error);
  return INTERNAL_PROBLEM;
}

/** body-parser marks its errors with `type`; their status is meant for the client. */
function problemFromBodyParserError(error: unknown): Problem | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  switch ((error as { type: unknown }).type) {
    case 'entity.parse.failed':
      return problemOf({ status: 400, code: 'MALFORMED_JSON', title: 'Malformed JSON', detail: 'the request body is not valid JSON' });
    case 'entity.too.large': {
      const limit = (error as { limit?: unknown }).limit;
      const detail = typeof limit === 'number' ? `the request body is over the limit of ${limit} bytes` : 'the request body is too large';
      return problemOf({ status: 413, code: 'PAYLOAD_TOO_LARGE', title: 'Payload too large', detail });
    }
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return problemOf({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'the request body must be UTF-8 JSON' });
    case 'request.aborted':
      return problemOf({ status: 400, code: 'REQUEST_ABORTED', detail: 'the client aborted the request' });
    default:
      return undefined;
  }
}

function problemFromHttpException(error: HttpException): Problem {
  const status = error.getStatus();
  if (status >= 500) return status === 503 ? problemOf({ status, code: 'SERVICE_UNAVAILABLE' }) : INTERNAL_PROBLEM;
  const response = error.getResponse();
  const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
  const detail = typeof message === 'string' ? message : Array.isArray(message) ? message.join('; ') : undefined;
  return problemOf({ status, code: HTTP_STATUS_CODES[status] ?? `HTTP_${status}`, detail });
}
