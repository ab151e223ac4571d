import { BadRequestException, InternalServerErrorException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { DOMAIN_ERROR_CODES, DomainError } from '@cdt/domain-shared';
import { EventIdConflictError, WrongExpectedVersionError } from '@cdt/event-store';
import { DOMAIN_ERROR_STATUS, ProblemError, problemFromError } from './problem';

describe('problemFromError', () => {
  it('renders a ProblemError as it was built, with a type URI and a title from the code', () => {
    const problem = problemFromError(new ProblemError({ status: 403, code: 'OUT_OF_SCOPE', detail: 'not your province', field: 'provinceCode' }));
    expect(problem).toEqual({
      type: 'https://cdt-ledger.gov.vn/problems/out-of-scope',
      title: 'Out of scope',
      status: 403,
      detail: 'not your province',
      code: 'OUT_OF_SCOPE',
      errors: [{ field: 'provinceCode', code: 'OUT_OF_SCOPE', message: 'not your province' }],
    });
  });

  it('maps a broken domain rule to 422 with its code and field', () => {
    const problem = problemFromError(new DomainError('MEMBER_NOT_IN_TEAM', 'member m-7 was not in team t-1 on 2026-03-02', 'memberIds'));
    expect(problem).toMatchObject({
      status: 422,
      code: 'MEMBER_NOT_IN_TEAM',
      title: 'Member not in team',
      detail: 'member m-7 was not in team t-1 on 2026-03-02',
      errors: [{ field: 'memberIds', code: 'MEMBER_NOT_IN_TEAM', message: 'member m-7 was not in team t-1 on 2026-03-02' }],
    });
  });

  it('maps unknown things to 404 and clashes with stored state to 409, by code', () => {
    expect(problemFromError(new DomainError('TEAM_NOT_FOUND', 'no team t-9', 'teamId')).status).toBe(404);
    expect(problemFromError(new DomainError('ACTIVITY_NOT_FOUND', 'no activity', 'activityId')).status).toBe(404);
    expect(problemFromError(new DomainError('TEAM_ALREADY_ESTABLISHED', 'exists', 'teamId')).status).toBe(409);
    expect(problemFromError(new DomainError('ACTIVITY_ID_CONFLICT', 'other content', 'activityId')).status).toBe(409);
    const statuses = new Set(DOMAIN_ERROR_CODES.map((code) => DOMAIN_ERROR_STATUS[code]));
    expect([...statuses].sort()).toEqual([404, 409, 422]);
  });

  it('maps a stale expected version to 409 WRONG_EXPECTED_VERSION naming expectedVersion', () => {
    expect(problemFromError(new WrongExpectedVersionError('team-t1', 3, 5))).toMatchObject({
      status: 409,
      code: 'WRONG_EXPECTED_VERSION',
      errors: [{ field: 'expectedVersion', code: 'WRONG_EXPECTED_VERSION' }],
    });
    expect(problemFromError(new EventIdConflictError('team-t1', ['e1']))).toMatchObject({ status: 409, code: 'EVENT_ID_CONFLICT' });
  });

  it('maps body-parser failures: malformed JSON 400, oversized body 413', () => {
    const malformed = Object.assign(new SyntaxError('Unexpected token b'), { type: 'entity.parse.failed', status: 400 });
    const tooLarge = Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413, limit: 1024 });
    expect(problemFromError(malformed)).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
    expect(problemFromError(tooLarge)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE', detail: 'the request body is over the limit of 1024 bytes' });
  });

  it('maps Nest HTTP exceptions by status', () => {
    expect(problemFromError(new NotFoundException('Cannot GET /nope'))).toMatchObject({ status: 404, code: 'NOT_FOUND', detail: 'Cannot GET /nope' });
    expect(problemFromError(new BadRequestException())).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(problemFromError(new ServiceUnavailableException('db down'))).toEqual(expect.objectContaining({ status: 503, code: 'SERVICE_UNAVAILABLE' }));
  });

  it('answers anything else with a bare 500 that leaks nothing', () => {
    for (const error of [new Error('connection to 10.0.0.5:5432 refused'), new InternalServerErrorException('stack here'), 'a string', undefined]) {
      const problem = problemFromError(error);
      expect(problem).toMatchObject({ status: 500, code: 'INTERNAL' });
      expect(JSON.stringify(problem)).not.toMatch(/10\.0\.0\.5|stack here|a string/);
    }
  });
});
