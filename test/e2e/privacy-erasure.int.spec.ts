import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { compareCheckpoints, type Checkpoint } from '@cdt/event-store';
import { DevTokens, bootstrapHttpApp, loadConfig, type CdtConfig, type DevClaims } from '@cdt/platform';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import { AppModule, SERVICE_NAME } from '../../apps/standalone/src/app.module';

/**
 * Issue 6, item 5 on the standalone app: a household visit keeps a follow-up phone number only sealed
 * under the household's key; `cdt privacy erase` destroys the key and records SubjectErased; after it
 * the ledger still verifies, the KPIs are the same, and no reader (team, auditor) can read the number.
 */

const ROOT = join(__dirname, '..', '..');
const COMMUNE = '28249';
const MONTH = '2026-03';
const PHONE = '0912345678';
const OTHER_PHONE = '0987654321';
const ref = (n: number) => n.toString(16).padStart(64, 'b');

const claims: Record<string, DevClaims> = {
  ministry: { subject: 'ministry-1', role: 'ministry' },
  auditor: { subject: 'auditor-1', role: 'auditor' },
  reporter: { subject: 'reporter-1', role: 'reporter', teamId: 'set-below' },
};

interface Reply {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

type Environment = () => Promise<{ env: Record<string, string>; storeArgs(dataDir: string): string[]; cliNeedsAppStopped: boolean; cleanup(): Promise<void> }>;

/** Asynchronous, so the app in this process keeps serving (and closing idle sockets) meanwhile. */
function cdt(args: string[]): Promise<{ status: number; stdout: string; stderr: string; lines: string[] }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'scripts', 'cdt.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDT_DATABASE_URL: '' }, timeout: 120_000 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ status, stdout, stderr, lines: stdout.trim().split('\n').filter(Boolean) });
    });
  });
}

function erasureE2e(title: string, environment: Environment): void {
  describe(`crypto-shredding of a follow-up contact: ${title}`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cdt-privacy-e2e-'));
    const teamId = `pv-${randomUUID().slice(0, 8)}`;
    const tokens: Record<string, string> = {};
    const positions: Checkpoint[] = [];
    const visits = { erased: randomUUID(), kept: randomUUID(), plain: randomUUID(), batched: randomUUID() };
    let setup: Awaited<ReturnType<Environment>>;
    let config: CdtConfig;
    let app: INestApplication | undefined;
    let url: string;

    const boot = async () => {
      ({ app, url } = await bootstrapHttpApp(AppModule.forRoot(config), { serviceName: SERVICE_NAME }));
    };
    const call = async (method: string, path: string, who: string, body?: unknown): Promise<Reply> => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[who]}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      const reply = { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, text };
      const position = reply.body['position'] as Checkpoint | undefined;
      if (position) positions.push(position);
      return reply;
    };
    const visit = (activityId: string, householdRef: string, followUpContact?: unknown) => ({
      activityId, teamId, memberIds: ['m1'], occurredAt: `${MONTH}-02T09:00:00+07:00`, householdRef, skills: ['public-services'],
      ...(followUpContact === undefined ? {} : { followUpContact }),
    });
    const contactOf = (activityId: string, who: string) => call('GET', `/v1/activities/${activityId}/follow-up-contact`, who);
    /** The team's KPI figures once the projection has applied everything up to `position`. */
    const kpisAt = async (position: Checkpoint): Promise<Record<string, unknown>> => {
      for (const deadline = Date.now() + 90_000; ; await new Promise((resolve) => setTimeout(resolve, 200))) {
        const reply = await call('GET', `/v1/kpi/team/${teamId}?period=${MONTH}`, 'ministry');
        const checkpoint = (reply.body['watermark'] as { checkpoint?: Checkpoint } | undefined)?.checkpoint;
        if (reply.status === 200 && checkpoint && compareCheckpoints(checkpoint, position) >= 0) {
          return Object.fromEntries((reply.body['indicators'] as { code: string; value: unknown }[]).map((i) => [i.code, i.value]));
        }
        if (Date.now() > deadline) throw new Error(`KPIs did not reach ${JSON.stringify(position)}: ${reply.status} ${reply.text.slice(0, 300)}`);
      }
    };

    beforeAll(async () => {
      setup = await environment();
      config = loadConfig({ CDT_JWT_SECRET: 'privacy-e2e-secret-privacy-e2e-secret!', CDT_LOG_LEVEL: 'silent', CDT_DATA_DIR: dataDir, CDT_PORT: '0', CDT_HOST: '127.0.0.1', ...setup.env });
      await boot();
      for (const [name, claim] of Object.entries(claims)) tokens[name] = await DevTokens.issue(config, name === 'reporter' ? { ...claim, teamId } : claim, 1800);
      expect((await call('POST', '/v1/teams', 'ministry', { teamId, communeCode: COMMUNE, village: 'Ấp Tân Hòa', establishedOn: '2026-01-05' })).status).toBe(201);
      expect((await call('POST', `/v1/teams/${teamId}/members`, 'ministry', { memberId: 'm1', role: 'leader', youthUnion: true, joinedOn: '2026-01-05' })).status).toBe(201);
    }, 120_000);
    afterAll(async () => {
      await app?.close();
      await setup?.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('keeps the contact only sealed: readable by the team, status only for the auditor, refused without consent', async () => {
      expect((await call('POST', '/v1/activities/household-visits', 'reporter', visit(visits.erased, ref(1), { phone: `+84${PHONE.slice(1)}`, consent: true }))).status).toBe(201);
      // The same visit retried with the number written 0…: the same sealed box, so a duplicate.
      expect((await call('POST', '/v1/activities/household-visits', 'reporter', visit(visits.erased, ref(1), { phone: PHONE, consent: true }))).status).toBe(200);
      expect((await call('POST', '/v1/activities/household-visits', 'reporter', visit(visits.kept, ref(2), { phone: OTHER_PHONE, consent: true }))).status).toBe(201);
      expect((await call('POST', '/v1/activities/household-visits', 'reporter', visit(visits.plain, ref(1)))).status).toBe(201);
      const batch = await call('POST', '/v1/activities:batch', 'reporter', { items: [
        { kind: 'household-visit', ...visit(visits.batched, ref(1), { phone: PHONE, consent: true }) },
        { kind: 'household-visit', ...visit(randomUUID(), ref(3), { phone: PHONE, consent: false }) },
        { kind: 'household-visit', ...visit(randomUUID(), ref(3), { phone: '12345', consent: true }) },
      ] });
      const results = batch.body['results'] as { status: string; position?: Checkpoint; problem?: { errors: { field: string }[] } }[];
      expect(results.map((r) => r.status)).toEqual(['created', 'rejected', 'rejected']);
      positions.push(results[0].position as Checkpoint);
      expect(results[1].problem?.errors.map((e) => e.field)).toEqual(['items.1.followUpContact.consent']);
      expect(results[2].problem?.errors.map((e) => e.field)).toEqual(['items.2.followUpContact.phone']);
      const refused = await call('POST', '/v1/activities/household-visits', 'reporter', visit(randomUUID(), ref(3), { phone: PHONE }));
      expect(refused.status).toBe(400);
      expect(refused.text).not.toContain(PHONE);

      const stored = await call('GET', `/v1/audit/streams/activity-${teamId}-${MONTH}`, 'auditor');
      expect(stored.status).toBe(200);
      expect(stored.text).not.toMatch(/912345678|987654321/);
      const sealed = (stored.body['events'] as { eventId: string; data: Record<string, unknown> }[]).find((e) => e.eventId === visits.erased);
      expect(sealed?.data['followUpContact']).toMatchObject({ consent: true, scheme: 'cdt-seal/v1', subjectRef: ref(1), keyId: expect.any(String) });
      const plain = (stored.body['events'] as { eventId: string; data: Record<string, unknown> }[]).find((e) => e.eventId === visits.plain);
      expect(Object.keys(plain?.data ?? {})).not.toContain('followUpContact');

      expect((await contactOf(visits.erased, 'reporter')).body).toEqual({ activityId: visits.erased, subjectRef: ref(1), status: 'readable', phone: PHONE });
      expect((await contactOf(visits.batched, 'ministry')).body).toMatchObject({ status: 'readable', phone: PHONE });
      expect((await contactOf(visits.erased, 'auditor')).body).toEqual({ activityId: visits.erased, subjectRef: ref(1), status: 'readable' });
      expect((await contactOf(visits.plain, 'reporter')).body).toMatchObject({ status: 404, code: 'ACTIVITY_NOT_FOUND' });
    });

    it('erases: SubjectErased recorded, the ledger verifies, the KPIs stay, no reader gets the number back', async () => {
      const before = await kpisAt(positions.reduce((a, b) => (compareCheckpoints(a, b) >= 0 ? a : b)));
      expect(before['household-visits']).toBe(4);

      if (setup.cliNeedsAppStopped) {
        await app?.close();
        app = undefined;
      }
      const erase = await cdt(['privacy', 'erase', ref(1), '--by', 'dpo-1', '--request', 'REQ-2026-17', ...setup.storeArgs(dataDir)]);
      expect(erase.stderr).toContain('subject erased');
      expect(erase.status).toBe(0);
      const erased = JSON.parse(erase.lines[0]) as { status: string; keyId: string; position: Checkpoint };
      expect(erased).toMatchObject({ status: 'erased', subjectRef: ref(1) });
      expect((await cdt(['audit', 'seal', '--force', ...setup.storeArgs(dataDir)])).status).toBe(0);
      const verify = await cdt(['audit', 'verify', '--checkpoint', join(dataDir, 'verify.json'), ...setup.storeArgs(dataDir)]);
      // Everything is sealed, the erasure too; only the newest seal itself waits for the next one.
      expect(JSON.parse(verify.lines[0])).toMatchObject({ ok: true, findingCount: 0, unsealedEvents: 1 });
      expect(verify.status).toBe(0);
      const again = await cdt(['privacy', 'erase', ref(1), '--by', 'dpo-1', ...setup.storeArgs(dataDir)]);
      expect(JSON.parse(again.lines[0])).toMatchObject({ status: 'already-erased', subjectRef: ref(1) });
      if (!app) await boot();

      for (const activityId of [visits.erased, visits.batched]) {
        expect((await contactOf(activityId, 'reporter')).body).toEqual({ activityId, subjectRef: ref(1), status: 'erased' });
        expect((await contactOf(activityId, 'auditor')).body).toEqual({ activityId, subjectRef: ref(1), status: 'erased' });
      }
      expect((await contactOf(visits.kept, 'reporter')).body).toMatchObject({ status: 'readable', phone: OTHER_PHONE });

      const record = await call('GET', '/v1/audit/log?types=SubjectErased', 'auditor');
      expect(record.body['events']).toEqual([expect.objectContaining({
        streamName: `subject-${ref(1)}`,
        eventId: erased.keyId,
        type: 'SubjectErased',
        data: { subjectRef: ref(1), keyId: erased.keyId, erasedBy: 'dpo-1', erasedAt: expect.any(String), request: 'REQ-2026-17' },
        metadata: expect.objectContaining({ actor: 'dpo-1' }),
      })]);
      // The subject's own stream is open to auditors like every other stream.
      const subjectStream = await call('GET', `/v1/audit/streams/subject-${ref(1)}`, 'auditor');
      expect(subjectStream.status).toBe(200);
      expect((subjectStream.body['events'] as { type: string }[]).map((e) => e.type)).toEqual(['SubjectErased']);
      expect(await kpisAt(erased.position)).toEqual(before);
    });
  });
}

erasureE2e('embedded PGlite on disk', async () => ({ env: {}, storeArgs: (dataDir) => ['--data-dir', dataDir], cliNeedsAppStopped: true, cleanup: async () => undefined }));

describeWithEngine('postgres', 'crypto-shredding on PostgreSQL (server mode)', () => {
  erasureE2e('PostgreSQL', async () => {
    const database = await freshPostgresDatabase();
    return {
      env: { CDT_DATABASE_URL: database.appUrl, CDT_DATABASE_ADMIN_URL: database.adminUrl },
      storeArgs: () => ['--database-url', database.appUrl],
      cliNeedsAppStopped: false,
      cleanup: () => database.drop(),
    };
  });
});
