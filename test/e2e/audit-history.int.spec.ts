import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DevTokens, bootstrapHttpApp, loadConfig, type DevClaims } from '@cdt/platform';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import { AppModule, SERVICE_NAME } from '../../apps/standalone/src/app.module';

/**
 * Issue 6, item 1: the auditor's read-only history API over real HTTP, on the standalone app. A team is
 * registered, members join and visits are recorded through the write API; then the stream history, the
 * team as of a day and the global log are read back as an auditor (and the ministry) would.
 */

const COMMUNE = '28249';
const ref = (n: number) => n.toString(16).padStart(64, 'a');
const vietnamDay = (epochMs: number): string => new Date(epochMs + 7 * 3_600_000).toISOString().slice(0, 10);

const claims: Record<string, DevClaims> = {
  auditor: { subject: 'auditor-1', role: 'auditor' },
  ministry: { subject: 'ministry-1', role: 'ministry' },
  officer: { subject: 'officer-82', role: 'officer', provinceCode: '82' },
  reporter: { subject: 'reporter-1', role: 'reporter', teamId: 'any' },
};

interface Reply {
  status: number;
  type: string | null;
  body: Record<string, unknown> & { errors?: { field: string; code: string }[] };
}
interface AuditEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  streamName: string;
  streamVersion: number;
  recordedAt: string;
  hash: string;
  position: { transactionId: string; globalPosition: string };
  data: Record<string, unknown>;
  metadata: { actor: string; occurredAt: string; correlationId: string; deviceId?: string };
}

type Environment = () => Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>;

function auditE2e(title: string, environment: Environment): void {
  describe(`audit history over HTTP: ${title}`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cdt-audit-e2e-'));
    const teamId = `au-${randomUUID().slice(0, 8)}`;
    // Its id starts with teamId: the team filter must not take its streams for teamId's.
    const lookalike = `${teamId}-x`;
    const tokens: Record<string, string> = {};
    let app: INestApplication;
    let url: string;
    let cleanup: (() => Promise<void>) | undefined;

    const call = async (method: string, path: string, who: string | undefined, body?: unknown): Promise<Reply> => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, type: response.headers.get('content-type'), body: text ? JSON.parse(text) : {} };
    };
    const get = (path: string, who = 'auditor') => call('GET', path, who);
    const created = async (path: string, body: unknown): Promise<void> => {
      expect((await call('POST', path, 'ministry', body)).status).toBe(201);
    };
    const visit = (team: string, householdRef: string) => ({
      activityId: randomUUID(),
      teamId: team,
      memberIds: ['m1'],
      occurredAt: '2026-03-02T09:00:00+07:00',
      householdRef,
      skills: ['public-services'],
      deviceId: 'phone-1',
    });

    /**
     * Pages through the log from the start until it holds `expected` events (the log is gap-safe on
     * PostgreSQL, so a commit can become visible a moment late), checking each page's invariants.
     */
    const readLog = async (query: string, expected: number): Promise<{ events: AuditEvent[]; pages: number }> => {
      for (const deadline = Date.now() + 10_000; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
        const events: AuditEvent[] = [];
        let after: string | undefined;
        let pages = 0;
        for (let atHead = false; !atHead; pages++) {
          const reply = await get(`/v1/audit/log?${query}${after ? `&after=${after}` : ''}`);
          expect(reply.status).toBe(200);
          events.push(...(reply.body['events'] as AuditEvent[]));
          atHead = reply.body['atHead'] as boolean;
          expect(reply.body['next']).toMatch(/^\d+\/\d+$/);
          // Only an empty page at the head may leave the checkpoint where it was.
          if (!atHead) expect(reply.body['next']).not.toBe(after);
          after = reply.body['next'] as string;
        }
        if (events.length >= expected || Date.now() > deadline) return { events, pages };
      }
    };

    beforeAll(async () => {
      const setup = await environment();
      cleanup = setup.cleanup;
      const config = loadConfig({ CDT_JWT_SECRET: 'audit-e2e-secret-audit-e2e-secret-00!', CDT_LOG_LEVEL: 'silent', CDT_DATA_DIR: dataDir, CDT_PORT: '0', CDT_HOST: '127.0.0.1', ...setup.env });
      ({ app, url } = await bootstrapHttpApp(AppModule.forRoot(config), { serviceName: SERVICE_NAME }));
      for (const [name, claim] of Object.entries(claims)) tokens[name] = await DevTokens.issue(config, claim, 1800);

      for (const team of [teamId, lookalike]) {
        await created('/v1/teams', { teamId: team, communeCode: COMMUNE, village: 'Ấp Tân Hòa', establishedOn: '2026-01-05' });
        await created(`/v1/teams/${team}/members`, { memberId: 'm1', role: 'leader', youthUnion: true, joinedOn: '2026-01-05' });
      }
      await created(`/v1/teams/${teamId}/members`, { memberId: 'm2', role: 'member', youthUnion: false, joinedOn: '2026-02-01' });
      for (const n of [1, 2, 3]) await created('/v1/activities/household-visits', visit(teamId, ref(n)));
      await created('/v1/activities/household-visits', visit(lookalike, ref(9)));
    });
    afterAll(async () => {
      await app?.close();
      await cleanup?.();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("reads a team stream's history with its metadata, hash chain positions, pages and asOf", async () => {
      const reply = await get(`/v1/audit/streams/team-${teamId}`);
      expect(reply.status).toBe(200);
      const events = reply.body['events'] as AuditEvent[];
      expect(events.map((e) => [e.streamVersion, e.type])).toEqual([
        [1, 'TeamEstablished'],
        [2, 'MemberJoined'],
        [3, 'MemberJoined'],
      ]);
      expect(events[0]).toMatchObject({
        streamName: `team-${teamId}`,
        schemaVersion: expect.any(Number),
        data: { teamId, communeCode: COMMUNE },
        metadata: { actor: 'ministry-1', occurredAt: expect.any(String), correlationId: expect.any(String) },
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        position: { transactionId: expect.stringMatching(/^\d+$/), globalPosition: expect.stringMatching(/^\d+$/) },
      });
      expect(reply.body['nextFromVersion']).toBeUndefined();

      const firstPage = await get(`/v1/audit/streams/team-${teamId}?limit=2`);
      expect((firstPage.body['events'] as AuditEvent[]).map((e) => e.streamVersion)).toEqual([1, 2]);
      expect(firstPage.body['nextFromVersion']).toBe(3);
      const rest = await get(`/v1/audit/streams/team-${teamId}?fromVersion=3&limit=2`, 'ministry');
      expect((rest.body['events'] as AuditEvent[]).map((e) => e.streamVersion)).toEqual([3]);

      const asOfFirst = await get(`/v1/audit/streams/team-${teamId}?asOf=${encodeURIComponent(events[0].recordedAt)}`);
      expect((asOfFirst.body['events'] as AuditEvent[]).map((e) => e.streamVersion)).toEqual([1]);
      const longAgo = await get(`/v1/audit/streams/team-${teamId}?asOf=2020-01-01T00:00:00%2B07:00`);
      expect(longAgo).toMatchObject({ status: 200, body: { events: [] } });
    });

    it('shows where an activity came from: actor, device, occurredAt', async () => {
      const reply = await get(`/v1/audit/streams/activity-${teamId}-2026-03`);
      const events = reply.body['events'] as AuditEvent[];
      expect(events).toHaveLength(3);
      expect(events[0]).toMatchObject({ type: 'HouseholdVisitRecorded', metadata: { actor: 'ministry-1', deviceId: 'phone-1', occurredAt: '2026-03-02T09:00:00+07:00' } });
    });

    it('folds a team as of the end of a day: nothing before it was recorded, every member after', async () => {
      const yesterday = vietnamDay(Date.now() - 86_400_000);
      const tomorrow = vietnamDay(Date.now() + 86_400_000);
      const before = await get(`/v1/audit/teams/${teamId}/as-of?date=${yesterday}`);
      expect(before).toMatchObject({ status: 200, body: { teamId, date: yesterday, version: 0, state: { status: 'none' } } });
      const after = await get(`/v1/audit/teams/${teamId}/as-of?date=${tomorrow}`, 'ministry');
      expect(after).toMatchObject({ status: 200, body: { teamId, version: 3, state: { status: 'active', establishedOn: '2026-01-05' } } });
      const members = (after.body['state'] as { members: Record<string, { periods: { joinedOn: string }[] }> }).members;
      expect(Object.keys(members).sort()).toEqual(['m1', 'm2']);
      expect(members['m2'].periods).toEqual([{ joinedOn: '2026-02-01' }]);
      expect((await get(`/v1/audit/teams/no-such-team/as-of?date=${tomorrow}`)).body).toMatchObject({ status: 404, code: 'TEAM_NOT_FOUND' });
    });

    it("pages the team's log to the head without duplicates, leaving out a team whose id merely starts the same", async () => {
      const { events, pages } = await readLog(`team=${teamId}&limit=2`, 6);
      expect(pages).toBeGreaterThan(1);
      expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
      expect(events.map((e) => e.streamName).sort()).toEqual([...Array(3).fill(`activity-${teamId}-2026-03`), ...Array(3).fill(`team-${teamId}`)]);
      const byType = await readLog(`team=${teamId}&types=MemberJoined&limit=1000`, 2);
      expect(byType.events.map((e) => e.data['memberId'])).toEqual(['m1', 'm2']);
      const lookalikeOnly = await readLog(`team=${lookalike}`, 3);
      expect(lookalikeOnly.events.every((e) => e.streamName.startsWith(`team-${lookalike}`) || e.streamName === `activity-${lookalike}-2026-03`)).toBe(true);
      expect(lookalikeOnly.events).toHaveLength(3);
    });

    it('pages the whole log in commit order and filters it by recordedAt', async () => {
      const { events } = await readLog('limit=3', 9);
      const positions = events.map((e) => BigInt(e.position.globalPosition));
      expect(new Set(positions).size).toBe(positions.length);
      expect(events.filter((e) => e.streamName.includes(teamId))).toHaveLength(9);
      const today = vietnamDay(Date.now());
      expect((await readLog(`from=${today}&streamPrefix=team-${teamId}`, 5)).events.length).toBeGreaterThanOrEqual(5);
      expect((await readLog(`to=2020-01-01&team=${teamId}`, 0)).events).toEqual([]);
    });

    it('answers 403 to officers and reporters, 401 without a token', async () => {
      for (const path of [`/v1/audit/streams/team-${teamId}`, `/v1/audit/teams/${teamId}/as-of?date=2026-01-05`, '/v1/audit/log']) {
        for (const who of ['officer', 'reporter']) expect((await get(path, who)).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
        expect((await call('GET', path, undefined)).status).toBe(401);
      }
    });

    it('answers 400 naming the field for malformed input, and 404 for an unknown stream', async () => {
      const cases: [string, string][] = [
        ['/v1/audit/streams/nonsense-1', 'streamName'],
        [`/v1/audit/streams/team-${teamId}?fromVersion=0`, 'fromVersion'],
        [`/v1/audit/streams/team-${teamId}?limit=1001`, 'limit'],
        [`/v1/audit/streams/team-${teamId}?asOf=yesterday`, 'asOf'],
        [`/v1/audit/teams/${teamId}/as-of`, 'date'],
        [`/v1/audit/teams/${teamId}/as-of?date=2026-02-30`, 'date'],
        ['/v1/audit/log?limit=1001', 'limit'],
        ['/v1/audit/log?limit=0', 'limit'],
        ['/v1/audit/log?after=12', 'after'],
        ['/v1/audit/log?types=Member Joined', 'types'],
        ['/v1/audit/log?team=%20x', 'team'],
        ['/v1/audit/log?from=2026-13-01', 'from'],
        ['/v1/audit/log?to=soon', 'to'],
        ['/v1/audit/log?extra=1', 'extra'],
      ];
      for (const [path, field] of cases) {
        const reply = await get(path);
        expect({ path, status: reply.status, code: reply.body['code'] }).toEqual({ path, status: 400, code: 'VALIDATION_FAILED' });
        expect(reply.type).toContain('application/problem+json');
        expect(reply.body.errors?.map((e) => e.field)).toContain(field);
      }
      expect((await get('/v1/audit/streams/team-no-such-team')).body).toMatchObject({ status: 404, code: 'STREAM_NOT_FOUND', errors: [{ field: 'streamName' }] });
    });
  });
}

auditE2e('embedded PGlite on disk', async () => ({ env: {}, cleanup: async () => undefined }));

describeWithEngine('postgres', 'audit history on PostgreSQL (server mode)', () => {
  auditE2e('PostgreSQL', async () => {
    const database = await freshPostgresDatabase();
    return { env: { CDT_DATABASE_URL: database.appUrl, CDT_DATABASE_ADMIN_URL: database.adminUrl }, cleanup: () => database.drop() };
  });
});
