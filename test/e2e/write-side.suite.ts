import { randomUUID } from 'node:crypto';
import type { DevClaims } from '@cdt/platform';
import { bootWriteSide, type Reply, type RunningWriteSide, type StoreFactory } from './support/http-app';

/** Đồng Tháp (82) communes since 2025-07-01, and one of Hồ Chí Minh City (79) for scope checks. */
const DT_COMMUNE = '28249';
const DT_OTHER_COMMUNE = '28261';
const HCM_COMMUNE = '25747';
const ref = (n: number) => n.toString(16).padStart(64, 'c');

/**
 * The write side over real HTTP, written once and run against each store: every endpoint's success,
 * each error class, scoping by role, idempotency under parallel retries, batches with mixed items.
 */
export function writeSideE2e(title: string, storeOf: StoreFactory): void {
  describe(`write side over HTTP: ${title}`, () => {
    let server: RunningWriteSide;
    let tokens: Readonly<Record<string, string>>;
    const teamA = `dt-${randomUUID().slice(0, 8)}`;
    const teamB = `hcm-${randomUUID().slice(0, 8)}`;

    const call = (method: string, path: string, token: string | undefined, body?: unknown): Promise<Reply> => server.call(method, path, token, body);
    const post = (path: string, who: string, body: unknown) => call('POST', path, tokens[who], body);
    const visit = (overrides: Record<string, unknown> = {}) => ({
      activityId: randomUUID(),
      teamId: teamA,
      memberIds: ['m1'],
      occurredAt: '2026-03-02T09:00:00+07:00',
      householdRef: ref(1),
      skills: ['public-services'],
      ...overrides,
    });

    beforeAll(async () => {
      const claims: Record<string, DevClaims> = {
        officer: { subject: 'officer-82', role: 'officer', provinceCode: '82' },
        communeOfficer: { subject: 'officer-82-other', role: 'officer', provinceCode: '82', communeCode: DT_OTHER_COMMUNE },
        officer79: { subject: 'officer-79', role: 'officer', provinceCode: '79' },
        ministry: { subject: 'ministry-1', role: 'ministry' },
        auditor: { subject: 'auditor-1', role: 'auditor' },
        reporter: { subject: 'reporter-a', role: 'reporter', teamId: teamA },
        reporterB: { subject: 'reporter-b', role: 'reporter', teamId: teamB },
      };
      server = await bootWriteSide(storeOf, claims, { CDT_BODY_LIMIT: '1mb' });
      tokens = server.tokens;
    });
    afterAll(() => server?.close());

    describe('registry', () => {
      it('establishes teams in the caller province (officer) or anywhere (ministry)', async () => {
        const a = await post('/v1/teams', 'officer', { teamId: teamA, communeCode: DT_COMMUNE, village: 'Ấp Tân Hòa', establishedOn: '2026-01-05' });
        expect(a).toMatchObject({ status: 201, body: { teamId: teamA, version: 1, position: { globalPosition: expect.any(String) } } });
        const b = await post('/v1/teams', 'ministry', { teamId: teamB, communeCode: HCM_COMMUNE, village: 'Khu phố 1', establishedOn: '2026-01-05' });
        expect(b.status).toBe(201);
      });

      it('refuses establishment with 400/401/403/404/409 as each case deserves', async () => {
        const body = { teamId: `x-${randomUUID().slice(0, 8)}`, communeCode: DT_COMMUNE, village: 'Ấp 2', establishedOn: '2026-01-05' };
        expect((await call('POST', '/v1/teams', undefined, body)).body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
        expect((await call('POST', '/v1/teams', 'not-a-token', body)).status).toBe(401);
        const invalid = await post('/v1/teams', 'officer', { ...body, village: undefined });
        expect(invalid).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
        expect(invalid.type).toContain('application/problem+json');
        expect(invalid.body.errors?.map((e) => e.field)).toContain('village');
        expect((await post('/v1/teams', 'reporter', body)).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
        expect((await post('/v1/teams', 'auditor', body)).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
        expect((await post('/v1/teams', 'officer79', body)).body).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE' });
        expect((await post('/v1/teams', 'communeOfficer', body)).body).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE' });
        expect((await post('/v1/teams', 'officer', { ...body, communeCode: '99999' })).body).toMatchObject({ status: 404, code: 'UNIT_NOT_FOUND', errors: [{ field: 'communeCode' }] });
        expect((await post('/v1/teams', 'officer', { ...body, teamId: teamA })).body).toMatchObject({ status: 409, code: 'TEAM_ALREADY_ESTABLISHED' });
      });

      it('manages members with expected versions, domain rules and scope', async () => {
        const leader = await post(`/v1/teams/${teamA}/members`, 'officer', { memberId: 'm1', role: 'leader', youthUnion: true, joinedOn: '2026-01-05', expectedVersion: 1 });
        expect(leader).toMatchObject({ status: 201, body: { teamId: teamA, version: 2 } });
        const stale = await post(`/v1/teams/${teamA}/members`, 'officer', { memberId: 'm2', role: 'member', youthUnion: false, joinedOn: '2026-01-05', expectedVersion: 1 });
        expect(stale.body).toMatchObject({ status: 409, code: 'WRONG_EXPECTED_VERSION', errors: [{ field: 'expectedVersion' }] });
        for (const m of ['m2', 'm3']) expect((await post(`/v1/teams/${teamA}/members`, 'ministry', { memberId: m, role: 'member', youthUnion: false, joinedOn: '2026-01-05' })).status).toBe(201);
        expect((await post(`/v1/teams/${teamA}/members`, 'officer', { memberId: 'm4', role: 'leader', youthUnion: false, joinedOn: '2026-01-06' })).body).toMatchObject({ status: 422, code: 'TEAM_ALREADY_HAS_LEADER', errors: [{ field: 'role' }] });
        expect((await post('/v1/teams/no-such-team/members', 'officer', { memberId: 'm1', role: 'member', youthUnion: false, joinedOn: '2026-01-05' })).body).toMatchObject({ status: 404, code: 'TEAM_NOT_FOUND' });
        expect((await post(`/v1/teams/${teamB}/members`, 'officer', { memberId: 'm1', role: 'member', youthUnion: false, joinedOn: '2026-01-05' })).body).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE' });
        expect((await post(`/v1/teams/${teamA}/members`, 'reporter', { memberId: 'm9', role: 'member', youthUnion: false, joinedOn: '2026-01-05' })).status).toBe(403);
        expect((await post(`/v1/teams/${teamB}/members`, 'ministry', { memberId: 'b1', role: 'member', youthUnion: false, joinedOn: '2026-01-05' })).status).toBe(201);

        expect((await post(`/v1/teams/${teamA}/members/m2/role`, 'officer', { role: 'deputy', on: '2026-02-01' })).body).toMatchObject({ teamId: teamA, version: 5 });
        expect((await post(`/v1/teams/${teamA}/members/m3/leave`, 'officer', { leftOn: '2026-02-15' })).body).toMatchObject({ version: 6 });
        expect((await post(`/v1/teams/${teamA}/members/m3/leave`, 'officer', { leftOn: '2026-02-16' })).body).toMatchObject({ status: 422, code: 'MEMBER_NOT_IN_TEAM' });
        const team = await call('GET', `/v1/teams/${teamA}`, tokens['reporter']);
        expect(team).toMatchObject({ status: 200, body: { teamId: teamA, status: 'active', version: 6 } });
        expect((await call('GET', `/v1/teams/${teamA}`, tokens['reporterB'])).body).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE' });
      });

      it('relocates within the province and dissolves, never across the officer province', async () => {
        const team = `dt-${randomUUID().slice(0, 8)}`;
        await post('/v1/teams', 'officer', { teamId: team, communeCode: DT_COMMUNE, village: 'Ấp 3', establishedOn: '2026-01-05' });
        expect((await post(`/v1/teams/${team}/relocate`, 'officer', { communeCode: HCM_COMMUNE, village: 'Ấp 3', on: '2026-02-01', reason: 'reorganisation' })).body).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE' });
        expect((await post(`/v1/teams/${team}/relocate`, 'officer', { communeCode: '99999', village: 'Ấp 3', on: '2026-02-01', reason: 'reorganisation' })).body).toMatchObject({ status: 404, code: 'UNIT_NOT_FOUND' });
        expect((await post(`/v1/teams/${team}/relocate`, 'officer', { communeCode: DT_OTHER_COMMUNE, village: 'Ấp 3', on: '2026-02-01', reason: 'reorganisation' })).body).toMatchObject({ teamId: team, version: 2 });
        expect((await post(`/v1/teams/${team}/dissolve`, 'officer', { on: '2026-03-01' })).body).toMatchObject({ status: 400, errors: expect.arrayContaining([expect.objectContaining({ field: 'reason' })]) });
        expect((await post(`/v1/teams/${team}/dissolve`, 'auditor', { on: '2026-03-01', reason: 'merged' })).status).toBe(403);
        expect((await post(`/v1/teams/${team}/dissolve`, 'officer', { on: '2026-03-01', reason: 'merged' })).body).toMatchObject({ version: 3 });
        expect((await post(`/v1/teams/${team}/dissolve`, 'officer', { on: '2026-03-02', reason: 'again' })).body).toMatchObject({ status: 422, code: 'TEAM_DISSOLVED' });
      });

      it('assigns targets to units of the caller province only; national ones are the ministry’s', async () => {
        const target = { unitCode: '82', indicator: 'app-install.provincial-citizen-app', period: '2026', value: 6800 };
        expect((await post('/v1/targets', 'officer', target)).body).toMatchObject({ unitCode: '82', version: expect.any(Number) });
        expect((await post('/v1/targets', 'officer', { ...target, unitCode: DT_COMMUNE, period: '2026-Q2' })).status).toBe(201);
        expect((await post('/v1/targets', 'officer', { ...target, unitCode: '79' })).body).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE' });
        expect((await post('/v1/targets', 'officer', { ...target, unitCode: '99' })).body).toMatchObject({ status: 404, code: 'UNIT_NOT_FOUND' });
        expect((await post('/v1/targets', 'officer', { ...target, unitCode: 'VN' })).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
        expect((await post('/v1/targets', 'ministry', { ...target, unitCode: 'VN' })).status).toBe(201);
        expect((await post('/v1/targets', 'reporter', target)).status).toBe(403);
        expect((await post('/v1/targets', 'officer', { ...target, value: -1 })).body).toMatchObject({ status: 400, errors: [{ field: 'value' }] });
      });
    });

    describe('activities', () => {
      const kinds: [string, Record<string, unknown>][] = [
        ['household-visits', { householdRef: ref(2), skills: ['online-payment', 'public-services'] }],
        ['training-enrollments', { traineeRef: ref(3), traineeKind: 'citizen', courseCode: 'onetouch-1' }],
        ['training-completions', { traineeRef: ref(3), traineeKind: 'citizen', courseCode: 'onetouch-1' }],
        ['app-install-assists', { citizenRef: ref(4), app: 'vneid' }],
        ['digital-service-assists', { subjectRef: ref(5), service: 'dvctt-dossier' }],
      ];
      it.each(kinds)('records %s once: 201, then 200 with the original position', async (path, details) => {
        const { householdRef: _h, skills: _s, ...common } = visit();
        const body = { ...common, ...details, deviceId: 'phone-1' };
        const first = await post(`/v1/activities/${path}`, 'reporter', body);
        expect(first).toMatchObject({ status: 201, body: { activityId: body.activityId, status: 'created', position: { globalPosition: expect.any(String) } } });
        const retry = await post(`/v1/activities/${path}`, 'reporter', body);
        expect(retry).toMatchObject({ status: 200, body: { ...first.body, status: 'duplicate' } });
      });

      it('refuses wrong roles, wrong teams, malformed input, raw identifiers and future dates', async () => {
        expect((await call('POST', '/v1/activities/household-visits', undefined, visit())).status).toBe(401);
        expect((await post('/v1/activities/household-visits', 'auditor', visit())).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
        expect((await post('/v1/activities/household-visits', 'reporterB', visit())).body).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE', errors: [{ field: 'teamId' }] });
        expect((await post('/v1/activities/household-visits', 'officer79', visit())).body).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE' });
        expect((await post('/v1/activities/household-visits', 'reporter', visit({ activityId: 'visit-1' }))).body).toMatchObject({ status: 400, errors: [{ field: 'activityId' }] });
        expect((await post('/v1/activities/household-visits', 'reporter', visit({ extra: 1 }))).body).toMatchObject({ status: 400, errors: [{ field: 'extra', code: 'UNKNOWN_FIELD' }] });
        expect((await post('/v1/activities/household-visits', 'reporter', '{"activityId": '))).toMatchObject({ status: 400, body: { code: 'MALFORMED_JSON' } });
        expect((await post('/v1/activities/household-visits', 'reporter', visit({ householdRef: '0912 345 678' }))).body).toMatchObject({ status: 422, code: 'RAW_PHONE_IN_REF', errors: [{ field: 'householdRef' }] });
        expect((await post('/v1/activities/household-visits', 'reporter', visit({ householdRef: '079203001234' }))).body).toMatchObject({ status: 422, code: 'RAW_CITIZEN_ID_IN_REF' });
        expect((await post('/v1/activities/household-visits', 'reporter', visit({ occurredAt: '2099-01-01T09:00:00+07:00' }))).body).toMatchObject({ status: 422, code: 'OCCURRED_IN_FUTURE' });
        expect((await post('/v1/activities/household-visits', 'reporter', visit({ memberIds: ['m9'] }))).body).toMatchObject({ status: 422, code: 'MEMBER_NOT_IN_TEAM', errors: [{ field: 'memberIds' }] });
        expect((await post('/v1/activities/household-visits', 'ministry', visit({ teamId: 'no-such-team' }))).body).toMatchObject({ status: 404, code: 'TEAM_NOT_FOUND' });
        const reused = visit();
        await post('/v1/activities/household-visits', 'reporter', reused);
        expect((await post('/v1/activities/household-visits', 'reporter', { ...reused, householdRef: ref(7) })).body).toMatchObject({ status: 409, code: 'ACTIVITY_ID_CONFLICT' });
      });

      it('appends once when the same activity is retried in parallel', async () => {
        const body = visit();
        const replies = await Promise.all(Array.from({ length: 10 }, () => post('/v1/activities/household-visits', 'reporter', body)));
        expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
        expect(new Set(replies.map((r) => JSON.stringify(r.body['position']))).size).toBe(1);
      });

      it('answers a mixed batch item by item at the exact path /v1/activities:batch', async () => {
        const stored = visit();
        const first = await post('/v1/activities/household-visits', 'reporter', stored);
        const good = visit();
        const items = [
          { kind: 'household-visit', ...good },
          { kind: 'household-visit', ...stored },
          { kind: 'household-visit', ...visit({ memberIds: 'm1' }) },
          { kind: 'household-visit', ...visit({ memberIds: ['m9'] }) },
          { kind: 'household-visit', ...visit({ teamId: teamB }) },
          { kind: 'tree-planting', ...visit() },
          { kind: 'app-install-assist', ...visit({ householdRef: undefined, skills: undefined, citizenRef: ref(8), app: 'vneid' }) },
          { kind: 'household-visit', ...good },
        ];
        const reply = await post('/v1/activities:batch', 'reporter', { items });
        expect(reply.status).toBe(200);
        const results = reply.body.results ?? [];
        expect(results.map((r) => [r['index'], r['status'], (r['problem'] as { code?: string } | undefined)?.code])).toEqual([
          [0, 'created', undefined],
          [1, 'duplicate', undefined],
          [2, 'rejected', 'VALIDATION_FAILED'],
          [3, 'rejected', 'MEMBER_NOT_IN_TEAM'],
          [4, 'rejected', 'OUT_OF_SCOPE'],
          [5, 'rejected', 'VALIDATION_FAILED'],
          [6, 'created', undefined],
          [7, 'duplicate', undefined],
        ]);
        expect(results[1]['position']).toEqual(first.body['position']);
        expect(results[7]['position']).toEqual(results[0]['position']);
        expect((results[2]['problem'] as { errors: { field: string }[] }).errors[0].field).toBe('items.2.memberIds');
        expect((results[5]['problem'] as { errors: { field: string }[] }).errors[0].field).toBe('items.5.kind');

        const again = await post('/v1/activities:batch', 'reporter', { items: items.slice(0, 2) });
        expect(again.body.results?.map((r) => r['status'])).toEqual(['duplicate', 'duplicate']);
        expect((await post('/v1/activities:batch', 'auditor', { items })).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
        expect((await post('/v1/activitiesXbatch', 'reporter', { items })).status).toBe(404);
      });

      it('appends each item once when a whole batch is retried in parallel', async () => {
        const items = Array.from({ length: 50 }, (_, i) => ({ kind: 'household-visit', ...visit({ householdRef: ref(100 + i), occurredAt: `2026-0${1 + (i % 3)}-2${i % 8}T10:00:00+07:00` }) }));
        const replies = await Promise.all(Array.from({ length: 4 }, () => post('/v1/activities:batch', 'reporter', { items })));
        const statuses = replies.flatMap((r) => r.body.results?.map((x) => x['status']) ?? []);
        expect(statuses.filter((s) => s === 'created')).toHaveLength(50);
        expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(150);
      });

      it('answers 413 for more than 1,000 items and for a body over the limit', async () => {
        const items = Array.from({ length: 1001 }, () => ({ kind: 'household-visit', activityId: randomUUID() }));
        expect((await post('/v1/activities:batch', 'reporter', { items })).body).toMatchObject({ status: 413, code: 'BATCH_TOO_LARGE' });
        expect((await post('/v1/activities:batch', 'reporter', { items: [{ kind: 'household-visit', deviceId: 'x'.repeat(1_100_000) }] })).body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      });

      it('retracts for a supervisor of the team only, once, with a reason', async () => {
        const body = visit();
        await post('/v1/activities/household-visits', 'reporter', body);
        const path = `/v1/activities/${body.activityId}/retract`;
        expect((await post(path, 'reporter', { reason: 'typo' })).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
        expect((await post(path, 'auditor', { reason: 'typo' })).status).toBe(403);
        expect((await post(path, 'officer79', { reason: 'typo' })).body).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE' });
        expect((await post(path, 'officer', {})).body).toMatchObject({ status: 400, errors: expect.arrayContaining([expect.objectContaining({ field: 'reason' })]) });
        const first = await post(path, 'officer', { reason: 'recorded twice' });
        expect(first).toMatchObject({ status: 201, body: { activityId: body.activityId, status: 'retracted' } });
        expect(await post(path, 'officer', { reason: 'recorded twice' })).toMatchObject({ status: 200, body: { ...first.body, status: 'duplicate' } });
        expect((await post(`/v1/activities/${randomUUID()}/retract`, 'ministry', { reason: 'x' })).body).toMatchObject({ status: 404, code: 'ACTIVITY_NOT_FOUND' });
      });
    });
  });
}
