import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { openEventStore } from '@cdt/event-store';
import { DevTokens, bootstrapHttpApp, loadConfig, type DevClaims } from '@cdt/platform';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import { AppModule, SERVICE_NAME } from './app.module';

const ROOT = join(__dirname, '..', '..', '..');
const SECRET = 'audit-service-secret-audit-service!!';
const claims: Record<string, DevClaims> = {
  auditor: { subject: 'auditor-1', role: 'auditor' },
  ministry: { subject: 'ministry-1', role: 'ministry' },
  officer: { subject: 'officer-82', role: 'officer', provinceCode: '82' },
};

const established = (teamId: string) => ({
  eventId: randomUUID(),
  type: 'TeamEstablished',
  schemaVersion: 1,
  data: { teamId, communeCode: '28249', village: 'Ấp 1', on: '2026-01-05' },
  metadata: { occurredAt: '2026-01-05T08:00:00+07:00', actor: 'spec', correlationId: randomUUID() },
});

type Environment = () => Promise<{ env: Record<string, string>; seed(teamId: string): Promise<void>; cleanup(): Promise<void> }>;

function auditServiceSuite(title: string, environment: Environment): void {
  describe(`apps/audit-service over HTTP: ${title}`, () => {
    const teamId = `as-${randomUUID().slice(0, 8)}`;
    const tokens: Record<string, string> = {};
    let app: INestApplication;
    let url: string;
    let cleanup: (() => Promise<void>) | undefined;
    const get = async (path: string, who?: string) => {
      const response = await fetch(`${url}${path}`, { headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    beforeAll(async () => {
      const setup = await environment();
      cleanup = setup.cleanup;
      await setup.seed(teamId);
      const config = loadConfig({ CDT_JWT_SECRET: SECRET, CDT_LOG_LEVEL: 'silent', CDT_PORT: '0', CDT_HOST: '127.0.0.1', ...setup.env });
      ({ app, url } = await bootstrapHttpApp(AppModule.forRoot(config), { serviceName: SERVICE_NAME }));
      for (const [name, claim] of Object.entries(claims)) tokens[name] = await DevTokens.issue(config, claim, 600);
    });
    afterAll(async () => {
      await app?.close();
      await cleanup?.();
    });

    it('answers the audit API to auditors and the ministry, read-only, and 403 to an officer', async () => {
      const history = await get(`/v1/audit/streams/team-${teamId}`, 'auditor');
      expect(history).toMatchObject({ status: 200, body: { streamName: `team-${teamId}`, events: [{ type: 'TeamEstablished', data: { teamId } }] } });
      // Gap-safe on a shared PostgreSQL: a fresh commit can become visible to log readers a moment late.
      let logged: unknown[] = [];
      for (const deadline = Date.now() + 15_000; logged.length === 0 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
        const log = await get(`/v1/audit/log?team=${teamId}&unit=82`, 'ministry');
        expect(log.status).toBe(200);
        logged = log.body['events'] as unknown[];
      }
      expect(logged).toMatchObject([{ type: 'TeamEstablished', data: { teamId } }]);
      expect((await get(`/v1/audit/log?team=${teamId}&unit=92`, 'ministry')).body).toMatchObject({ events: [] });
      expect((await get(`/v1/audit/teams/${teamId}/as-of?date=2099-01-01`, 'auditor')).body).toMatchObject({ teamId, state: { status: 'active' } });
      expect((await get('/v1/audit/log', 'officer')).body).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      expect((await get('/v1/audit/log')).status).toBe(401);
      // No write side is mounted: the write API does not exist here.
      const post = await fetch(`${url}/v1/teams`, { method: 'POST', headers: { authorization: `Bearer ${tokens['ministry']}`, 'content-type': 'application/json' }, body: '{}' });
      expect(post.status).toBe(404);
      expect((await get('/health')).status).toBe(200);
    });
  });
}

auditServiceSuite('embedded store', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cdt-audit-service-'));
  return {
    env: { CDT_DATA_DIR: dataDir },
    seed: async (teamId) => {
      const store = await openEventStore({ kind: 'embedded', dataDir: join(dataDir, 'event-store') });
      await store.append(`team-${teamId}`, [established(teamId)], 'no-stream');
      await store.close();
    },
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
});

describeWithEngine('postgres', 'apps/audit-service on PostgreSQL', () => {
  auditServiceSuite('PostgreSQL, application role', async () => {
    const database = await freshPostgresDatabase();
    return {
      env: { CDT_DATABASE_URL: database.appUrl },
      seed: async (teamId) => {
        const store = await openEventStore({ kind: 'postgres', url: database.appUrl, adminUrl: database.adminUrl, poolSize: 2 });
        await store.append(`team-${teamId}`, [established(teamId)], 'no-stream');
        await store.close();
      },
      cleanup: () => database.drop(),
    };
  });
});

describe('apps/audit-service/src/main.ts', () => {
  it('starts as a process, says where it listens, and answers /health', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cdt-audit-main-'));
    const child = spawn(process.execPath, ['-r', './scripts/register.js', 'apps/audit-service/src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, CDT_DATABASE_URL: '', CDT_DATABASE_ADMIN_URL: '', CDT_DATA_DIR: dataDir, CDT_PORT: '0', CDT_HOST: '127.0.0.1', CDT_JWT_SECRET: SECRET, CDT_LOG_LEVEL: 'silent' },
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no start-up line within 60 s: ${out}`)), 60_000);
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/\S+?);/.exec(out);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect((await fetch(`${url}/v1/audit/log`)).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
