import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadAdminUnits } from '@cdt/admin-units';
import { evaluationStream, quarterKey } from '@cdt/domain-shared';
import { EVENT_STORE, START, compareCheckpoints, type Checkpoint, type EventStore } from '@cdt/event-store';
import { DevTokens, bootstrapHttpApp, loadConfig, type CdtConfig } from '@cdt/platform';
import { pseudonymousRef } from '@cdt/pseudonym';
import { evaluate } from '@cdt/domain-scoring';
import { readCriteriaVersions, readRun, runDigests } from '@cdt/scoring-feature';
import { daysEndingOn, planActivities, planTeams, type PlannedActivity, type PlannedTeam } from '@cdt/simulation';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import { verifyRanking } from '../../apps/audit-service/src/commands/ranking.command';
import { AppModule, SERVICE_NAME } from '../../apps/standalone/src/app.module';

/**
 * Issue 5, "Done means": the standalone app on a fresh store, simulated field work in Đồng Tháp (82)
 * and Hồ Chí Minh City (79); a ministry token publishes the default criteria, runs a province-level
 * evaluation, reads the explained ranking, approves it, lists the awards, and `cdt ranking verify`
 * says identical — and still does after more events arrive. A forged run is reported different.
 */

const REF_KEY = 'scoring-e2e-ref-key-not-for-real-citizens-000001';
const DEFAULT_CRITERIA = JSON.parse(readFileSync(join(__dirname, '../../docs/scoring/default-criteria.json'), 'utf8')) as Record<string, unknown>;
const vietnamDay = (epochMs: number): string => new Date(epochMs + 7 * 3_600_000).toISOString().slice(0, 10);

interface Reply {
  status: number;
  body: Record<string, unknown>;
  text: string;
  headers: Headers;
}

interface Result {
  unitCode: string;
  parentCode: string;
  eligible: boolean;
  score: number;
  rank: number | null;
  tier: string | null;
  ineligibleReasons: { rule: string }[];
  breakdown: { criterion: string; raw: number | null; points: number }[];
  figures: Record<string, number>;
}

function scoringDone(title: string, environment: () => Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>): void {
  describe(`Done means (issue 5): default criteria → province ranking → approval → verify, on ${title}`, () => {
    let app: INestApplication;
    let url: string;
    let config: CdtConfig;
    let cleanup: () => Promise<void>;
    let store: EventStore;
    const dataDir = mkdtempSync(join(tmpdir(), 'cdt-scoring-'));
    const tokens = new Map<string, string>();
    let lastWrite: Checkpoint = START;
    const noteWrite = (position: unknown) => {
      if (position && typeof position === 'object' && compareCheckpoints(position as Checkpoint, lastWrite) > 0) lastWrite = position as Checkpoint;
    };
    /**
     * Readers see a commit once every older transaction of the server has ended (gap safety); on a shared
     * PostgreSQL server that can be a moment after the write was acknowledged. Wait until the KPI model
     * has our last write, as a client wanting read-your-writes would.
     */
    const projected = async (token: string, period: string) => {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const reply = await request('GET', `/v1/kpi/province/82?period=${period}`, token);
        const at = (reply.body['watermark'] as { checkpoint: Checkpoint | null } | undefined)?.checkpoint;
        if (at && compareCheckpoints(at, lastWrite) >= 0) return;
        if (Date.now() > deadline) throw new Error(`the projection did not reach ${JSON.stringify(lastWrite)} in 90 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };

    const request = async (method: string, path: string, token: string, body?: unknown): Promise<Reply> => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const body_ = (response.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : {};
      return { status: response.status, body: body_, text, headers: response.headers };
    };
    const tokenFor = async (name: string, claims: Parameters<typeof DevTokens.issue>[1]): Promise<string> => {
      const token = tokens.get(name) ?? (await DevTokens.issue(config, claims, 1800));
      tokens.set(name, token);
      return token;
    };
    const verify = async (runId: string): Promise<{ code: number; output: string }> => {
      let output = '';
      const code = await verifyRanking(store, runId, { write: (text) => (output += text) });
      return { code, output };
    };

    beforeAll(async () => {
      const setup = await environment();
      cleanup = setup.cleanup;
      config = loadConfig({ CDT_JWT_SECRET: 'scoring-secret-scoring-secret-scoring!', CDT_LOG_LEVEL: 'silent', CDT_DATA_DIR: dataDir, CDT_PORT: '0', CDT_HOST: '127.0.0.1', ...setup.env });
      ({ app, url } = await bootstrapHttpApp(AppModule.forRoot(config), { serviceName: SERVICE_NAME }));
      store = app.get<EventStore>(EVENT_STORE);
    });
    afterAll(async () => {
      await app?.close();
      await cleanup?.();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('publishes, runs, explains, approves, awards, and verifies identical before and after later events', async () => {
      const now = Date.now();
      const today = vietnamDay(now);
      const quarter = quarterKey(today);
      const units = loadAdminUnits();
      const days = daysEndingOn(today, 12).filter((day) => quarterKey(day) === quarter);
      const establishedOn = daysEndingOn(days[0], 5)[0];
      const dtTeams = planTeams({ provinceCode: '82', communeCodes: units.children('82', today).slice(0, 6).map((c) => c.code), teamsPerCommune: 1, establishedOn, seed: 51 });
      const hcmTeams = planTeams({ provinceCode: '79', communeCodes: units.children('79', today).slice(0, 1).map((c) => c.code), teamsPerCommune: 1, establishedOn, seed: 52 });
      const ministry = await tokenFor('ministry', { subject: 'ministry-1', role: 'ministry' });
      const officer82 = await tokenFor('officer82', { subject: 'officer-82', role: 'officer', provinceCode: '82' });
      const officer79 = await tokenFor('officer79', { subject: 'officer-79', role: 'officer', provinceCode: '79' });

      const register = async (officer: string, team: PlannedTeam) => {
        const established = await request('POST', '/v1/teams', officer, { teamId: team.teamId, communeCode: team.communeCode, village: team.village, establishedOn: team.establishedOn });
        expect(established.status).toBe(201);
        noteWrite(established.body['position']);
        for (const member of team.members) {
          const joined = await request('POST', `/v1/teams/${team.teamId}/members`, officer, { ...member, joinedOn: team.establishedOn });
          expect(joined.status).toBe(201);
          noteWrite(joined.body['position']);
        }
      };
      const postWork = async (activities: readonly PlannedActivity[]) => {
        const byTeam = new Map<string, PlannedActivity[]>();
        for (const activity of activities) byTeam.set(activity.body.teamId, [...(byTeam.get(activity.body.teamId) ?? []), activity]);
        for (const [teamId, items] of byTeam) {
          const reporter = await tokenFor(teamId, { subject: `reporter-${teamId}`, role: 'reporter', teamId });
          for (let start = 0; start < items.length; start += 500) {
            const reply = await request('POST', '/v1/activities:batch', reporter, { items: items.slice(start, start + 500).map((a) => ({ kind: a.kind, ...a.body })) });
            expect(reply.status).toBe(200);
            expect((reply.body['results'] as { status: string }[]).every((r) => r.status === 'created')).toBe(true);
            for (const result of reply.body['results'] as { position?: Checkpoint }[]) noteWrite(result.position);
          }
        }
      };
      for (const team of dtTeams) await register(officer82, team);
      for (const team of hcmTeams) await register(officer79, team);
      await postWork(planActivities({ teams: [...dtTeams, ...hcmTeams], days, perTeamPerDay: 4, seed: 53, ref: (id) => pseudonymousRef(id, REF_KEY), notAfter: now }));

      await projected(ministry, quarter);

      // ── criteria: validate, publish (idempotent), immutable ─────────────────────────────────────
      const criteria = '/v1/scoring/criteria-sets';
      const dryRun = await request('POST', `${criteria}?dryRun=true`, ministry, DEFAULT_CRITERIA);
      expect(dryRun.status).toBe(201);
      expect(dryRun.body).toMatchObject({ valid: true, code: DEFAULT_CRITERIA['code'], version: 1 });
      expect((await request('GET', criteria, ministry)).body).toEqual([]);
      const broken = { ...DEFAULT_CRITERIA, criteria: (DEFAULT_CRITERIA['criteria'] as Record<string, unknown>[]).map((c, i) => (i === 1 ? { ...c, maxPoints: -5 } : c)) };
      const invalid = await request('POST', `${criteria}:validate`, ministry, broken);
      expect(invalid.status).toBe(422);
      expect(invalid.headers.get('content-type')).toContain('application/problem+json');
      const problems = invalid.body['errors'] as { field: string; message: string }[];
      expect(problems.some((p) => p.field.startsWith('criteria[1]') || p.field.startsWith('criteria.1'))).toBe(true);
      expect(problems.map((p) => p.message).join(' ')).toContain('households-per-member');
      expect((await request('POST', criteria, officer82, DEFAULT_CRITERIA)).status).toBe(403);
      const published = await request('POST', criteria, ministry, DEFAULT_CRITERIA);
      expect(published.status).toBe(201);
      expect(published.body).toMatchObject({ status: 'created', version: 1, checksum: dryRun.body['checksum'] });
      expect((await request('POST', criteria, ministry, DEFAULT_CRITERIA)).body).toMatchObject({ status: 'duplicate', checksum: dryRun.body['checksum'] });
      const altered = await request('POST', criteria, ministry, { ...DEFAULT_CRITERIA, title: 'changed after publication' });
      expect(altered.status).toBe(409);
      expect(altered.body).toMatchObject({ code: 'CRITERIA_VERSION_CONFLICT', errors: [{ field: 'version' }] });

      // ── a province-level run, read back explained ──────────────────────────────────────────────
      const runBody = { criteriaCode: DEFAULT_CRITERIA['code'], period: quarter, area: { level: 'province', code: '82' } };
      expect((await request('POST', '/v1/scoring/evaluations', officer79, runBody)).status).toBe(403);
      expect((await request('POST', '/v1/scoring/evaluations', officer82, { ...runBody, area: { level: 'nation', code: 'VN' } })).status).toBe(403);
      const run = await request('POST', '/v1/scoring/evaluations', ministry, runBody);
      expect(run.status).toBe(201);
      const runId = run.body['runId'] as string;
      const ranking = await request('GET', `/v1/scoring/evaluations/${runId}`, ministry);
      expect(ranking.status).toBe(200);
      expect(ranking.body).toMatchObject({ runId, status: 'draft', period: quarter, area: { level: 'province', code: '82' }, integrity: { ok: true }, criteria: { version: 1, checksum: dryRun.body['checksum'] } });
      const results = ranking.body['results'] as Result[];
      expect(results.map((r) => r.unitCode).sort()).toEqual(dtTeams.map((t) => t.teamId).sort());
      for (const team of dtTeams) {
        const result = results.find((r) => r.unitCode === team.teamId) as Result;
        expect(result.parentCode).toBe('82');
        expect(result.breakdown.map((b) => b.criterion)).toEqual((DEFAULT_CRITERIA['criteria'] as { code: string }[]).map((c) => c.code));
        expect(result.figures['members-registered']).toBe(team.members.length);
        expect(result.figures['youth-union-members']).toBe(team.members.filter((m) => m.youthUnion).length);
        const youth = team.members.filter((m) => m.youthUnion).length;
        expect(result.eligible).toBe(youth >= 2);
        if (!result.eligible) expect(result.ineligibleReasons.map((r) => r.rule)).toContain('min-youth-union');
        expect(result.score).toBeCloseTo(result.breakdown.reduce((sum, b) => sum + b.points, 0), 2);
      }
      const ranked = results.filter((r) => r.eligible);
      expect(ranked.length).toBeGreaterThan(0);
      expect(ranked.map((r) => r.rank)).toEqual(ranked.map((_, i) => i + 1));
      expect((await request('GET', `/v1/scoring/evaluations/${runId}`, officer82)).status).toBe(200);
      expect((await request('GET', `/v1/scoring/evaluations/${runId}`, officer79)).status).toBe(403);

      const csv = await request('GET', `/v1/scoring/evaluations/${runId}?format=csv`, officer82);
      expect(csv.status).toBe(200);
      const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
      expect(lines[0]).toContain('Tổng điểm');
      expect(lines).toHaveLength(results.length + 1);
      const xlsx = await fetch(`${url}/v1/scoring/evaluations/${runId}`, { headers: { authorization: `Bearer ${ministry}`, accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } });
      expect(xlsx.status).toBe(200);
      expect(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');

      // ── approval publishes and grants the tiers ────────────────────────────────────────────────
      expect((await request('POST', `/v1/scoring/evaluations/${runId}/approve`, officer82)).status).toBe(403);
      expect((await request('POST', `/v1/scoring/evaluations/${runId}/approve`, ministry)).body).toEqual({ runId, status: 'created' });
      expect((await request('POST', `/v1/scoring/evaluations/${runId}/approve`, ministry)).body).toEqual({ runId, status: 'duplicate' });
      expect((await request('GET', `/v1/scoring/evaluations/${runId}`, ministry)).body).toMatchObject({ status: 'published', approvedBy: 'ministry-1' });
      const awards = await request('GET', `/v1/scoring/awards?period=${quarter}`, ministry);
      expect(awards.status).toBe(200);
      const lists = awards.body as unknown as { runId: string; awards: { unitCode: string; tier: string }[] }[];
      expect(lists.map((l) => l.runId)).toEqual([runId]);
      expect(lists[0].awards.map((a) => [a.unitCode, a.tier])).toEqual(results.filter((r) => r.tier !== null).map((r) => [r.unitCode, r.tier]));
      // A second draft of the same ranking cannot be published beside it: it must supersede, with a reason.
      const second = await request('POST', '/v1/scoring/evaluations', ministry, runBody);
      expect((await request('POST', `/v1/scoring/evaluations/${second.body['runId'] as string}/approve`, ministry)).body).toMatchObject({ status: 409, code: 'RANKING_ALREADY_PUBLISHED' });
      // Two drafts of another ranking approved at the same moment: exactly one is published.
      const drafts = await Promise.all([1, 2].map(() => request('POST', '/v1/scoring/evaluations', ministry, { ...runBody, area: { level: 'province', code: '79' } })));
      const racing = await Promise.all(drafts.map((draft) => request('POST', `/v1/scoring/evaluations/${draft.body['runId'] as string}/approve`, ministry)));
      expect(racing.map((reply) => reply.status).sort()).toEqual([200, 409]);
      expect(racing.find((reply) => reply.status === 409)?.body).toMatchObject({ code: 'RANKING_ALREADY_PUBLISHED' });
      const published79 = drafts[racing.findIndex((reply) => reply.status === 200)].body['runId'] as string;
      const noReason = await request('POST', '/v1/scoring/evaluations', ministry, { ...runBody, supersedes: runId });
      expect(noReason.status).toBe(422);
      expect(noReason.body).toMatchObject({ errors: [{ field: 'reason' }] });

      // ── cdt ranking verify: identical ──────────────────────────────────────────────────────────
      const first = await verify(runId);
      expect(first.output).toContain(`run ${runId}: identical`);
      expect(first.output).toContain('digest version 2');
      expect(first.code).toBe(0);

      // ── later events: a new team and more work; the verdict on the old run does not move ───────
      const late = planTeams({ provinceCode: '82', communeCodes: units.children('82', today).slice(6, 7).map((c) => c.code), teamsPerCommune: 1, establishedOn, seed: 54 });
      await register(officer82, late[0]);
      await postWork(planActivities({ teams: [dtTeams[0], late[0]], days: [today], perTeamPerDay: 5, seed: 55, ref: (id) => pseudonymousRef(`late-${id}`, REF_KEY), notAfter: Date.now() }));
      await projected(ministry, quarter);
      const after = await verify(runId);
      expect(after.output).toContain(`run ${runId}: identical`);
      expect(after.code).toBe(0);

      // A correction sees the new figures, supersedes the published run, and takes over its awards.
      const correction = await request('POST', '/v1/scoring/evaluations', ministry, { ...runBody, supersedes: runId, reason: 'late reports from the 82 teams' });
      expect(correction.status).toBe(201);
      const correctedId = correction.body['runId'] as string;
      const corrected = (await request('GET', `/v1/scoring/evaluations/${correctedId}`, ministry)).body;
      expect((corrected['results'] as Result[]).map((r) => r.unitCode)).toContain(late[0].teamId);
      expect((await request('POST', `/v1/scoring/evaluations/${correctedId}/approve`, ministry)).body).toEqual({ runId: correctedId, status: 'created' });
      expect((await request('GET', `/v1/scoring/evaluations/${runId}`, ministry)).body).toMatchObject({ status: 'superseded', supersededBy: { runId: correctedId, reason: 'late reports from the 82 teams' } });
      expect(((await request('GET', `/v1/scoring/awards?period=${quarter}`, ministry)).body as unknown as { runId: string }[]).map((l) => l.runId).sort()).toEqual([correctedId, published79].sort());
      expect((await verify(correctedId)).code).toBe(0);
      expect((await verify(runId)).code).toBe(0);

      // ── tampering: a forged run whose record does not match its digests, or the log ────────────
      const genuine = (await readRun(store, runId))?.completed.data;
      if (!genuine) throw new Error('the run is not in the log');
      const forge = async (data: typeof genuine) => {
        const forgedId = randomUUID();
        await store.append(evaluationStream(forgedId), [{ eventId: randomUUID(), type: 'EvaluationCompleted', schemaVersion: 1, data: { ...data, runId: forgedId } as unknown as Record<string, unknown>, metadata: { occurredAt: new Date().toISOString(), actor: 'forger', correlationId: randomUUID() } }], 'no-stream');
        return forgedId;
      };
      const target = genuine.results[0];
      const betterScore = await forge({ ...genuine, results: genuine.results.map((r) => (r.unitCode === target.unitCode ? { ...r, score: r.score + 10 } : r)) });
      const scoreVerdict = await verify(betterScore);
      expect(scoreVerdict.code).toBe(1);
      expect(scoreVerdict.output).toContain(`unit ${target.unitCode}, score`);
      const inflated = await forge({ ...genuine, inputs: genuine.inputs.map((i) => (i.unitCode === target.unitCode ? { ...i, figures: { ...i.figures, 'households-reached': (i.figures['households-reached'] ?? 0) + 50 } } : i)) });
      const inputVerdict = await verify(inflated);
      expect(inputVerdict.code).toBe(1);
      expect(inputVerdict.output).toContain('recorded-inputs');
      expect((await request('GET', `/v1/scoring/evaluations/${inflated}`, ministry)).body).toMatchObject({ integrity: { ok: false } });
      expect((await request('POST', `/v1/scoring/evaluations/${inflated}/approve`, ministry)).body).toMatchObject({ status: 409, code: 'RUN_INTEGRITY_FAILED' });

      // ── digest versions: a run recorded before version 2 (no digestVersion, version 1 digests) still verifies ──
      const set = (await readCriteriaVersions(store, genuine.criteria.code)).find((v) => v.data.version === genuine.criteria.version)?.data.set;
      if (!set) throw new Error('the run\'s criteria set is not in the log');
      const { digestVersion: _current, ...beforeVersion2 } = genuine;
      const v1 = runDigests(genuine.inputs, evaluate(set, genuine.inputs), 1);
      expect(v1.inputsDigest).not.toBe(genuine.inputsDigest);
      const recordedAsV1 = await forge({ ...beforeVersion2, inputsDigest: v1.inputsDigest, resultsDigest: v1.resultsDigest });
      const v1Verdict = await verify(recordedAsV1);
      expect(v1Verdict.output).toContain(`run ${recordedAsV1}: identical`);
      expect(v1Verdict.output).toContain('digest version 1');
      expect(v1Verdict.code).toBe(0);
      expect((await request('GET', `/v1/scoring/evaluations/${recordedAsV1}`, ministry)).body).toMatchObject({ digestVersion: 1, integrity: { ok: true } });
      // Version 1 digests under a record that claims version 2 (or a version nobody defined) do not verify.
      const mislabelled = await forge({ ...genuine, inputsDigest: v1.inputsDigest, resultsDigest: v1.resultsDigest });
      expect((await verify(mislabelled)).code).toBe(1);
      const unknownVersion = await forge({ ...genuine, digestVersion: 3 as unknown as 2 });
      const unknownVerdict = await verify(unknownVersion);
      expect(unknownVerdict.code).toBe(1);
      expect(unknownVerdict.output).toContain('digest version 3');
    }, 600_000);
  });
}

scoringDone('embedded PGlite (the npm start default)', async () => ({ env: {}, cleanup: async () => undefined }));

describeWithEngine('postgres', 'Done means (issue 5) on PostgreSQL (server mode)', () => {
  scoringDone('PostgreSQL', async () => {
    const database = await freshPostgresDatabase();
    return { env: { CDT_DATABASE_URL: database.appUrl, CDT_DATABASE_ADMIN_URL: database.adminUrl }, cleanup: () => database.drop() };
  });
});
