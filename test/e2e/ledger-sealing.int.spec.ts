import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { compareCheckpoints, openEventStore, type Checkpoint, type EventStoreOptions } from '@cdt/event-store';
import { verifyLedger } from '@cdt/ledger-integrity';
import { DevTokens, bootstrapHttpApp, loadConfig } from '@cdt/platform';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import { AppModule, SERVICE_NAME } from '../../apps/standalone/src/app.module';

/**
 * Issue 6, item 2: the standalone app seals the ledger by itself, every N events or T minutes as
 * configured (CDT_SEAL_EVERY_EVENTS, CDT_SEAL_EVERY_MINUTES), and the sealed log verifies.
 */

interface LoggedEvent {
  type: string;
  position: Checkpoint;
  data: { sealNumber?: number; count?: number; to?: Checkpoint };
}

type Environment = (dataDir: string) => Promise<{ env: Record<string, string>; store: EventStoreOptions; cleanup(): Promise<void> }>;

function sealingE2e(title: string, environment: Environment): void {
  describe(`the standalone app seals its ledger: ${title}`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cdt-sealing-e2e-'));
    let setup: Awaited<ReturnType<Environment>>;
    let app: INestApplication | undefined;
    afterAll(async () => {
      await app?.close();
      await setup?.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('appends LedgerSealed for every 5 events and for the rest once 3 seconds old; verify passes', async () => {
      setup = await environment(dataDir);
      const config = loadConfig({
        CDT_JWT_SECRET: 'sealing-e2e-secret-sealing-e2e-secret!', CDT_LOG_LEVEL: 'silent', CDT_DATA_DIR: dataDir, CDT_PORT: '0', CDT_HOST: '127.0.0.1',
        CDT_SEAL_EVERY_EVENTS: '5', CDT_SEAL_EVERY_MINUTES: '0.05', ...setup.env,
      });
      expect(config.ledgerSealer).toEqual({ enabled: true, everyEvents: 5, everyMs: 3000 });
      let url: string;
      ({ app, url } = await bootstrapHttpApp(AppModule.forRoot(config), { serviceName: SERVICE_NAME }));
      const ministry = await DevTokens.issue(config, { subject: 'ministry-1', role: 'ministry' }, 600);
      const auditor = await DevTokens.issue(config, { subject: 'auditor-1', role: 'auditor' }, 600);
      const post = async (path: string, body: unknown) => {
        const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ministry}` }, body: JSON.stringify(body) });
        expect(response.status).toBe(201);
      };
      const teamId = `seal-${randomUUID().slice(0, 8)}`;
      await post('/v1/teams', { teamId, communeCode: '28249', village: 'Ấp Tân Hòa', establishedOn: '2026-01-05' });
      for (let m = 1; m <= 11; m++) await post(`/v1/teams/${teamId}/members`, { memberId: `m${m}`, role: m === 1 ? 'leader' : 'member', youthUnion: false, joinedOn: '2026-01-05' });

      // 12 events: full ranges of 5 are sealed at the next tick, the rest once its oldest event is 3 s
      // old; a range holding only seals is never sealed. On a busy server, visibility lags (gap safety),
      // so ranges may come out partial. Done when every team event lies inside a seal.
      let log: LoggedEvent[] = [];
      const sealsOf = (events: LoggedEvent[]) => events.filter((event) => event.type === 'LedgerSealed');
      const allSealed = (events: LoggedEvent[]) => {
        const last = sealsOf(events).at(-1);
        return last !== undefined && events.filter((event) => event.type !== 'LedgerSealed').every((event) => compareCheckpoints(event.position, last.data.to as Checkpoint) <= 0);
      };
      for (const deadline = Date.now() + 60_000; !allSealed(log); await new Promise((resolve) => setTimeout(resolve, 250))) {
        const response = await fetch(`${url}/v1/audit/log?limit=1000`, { headers: { authorization: `Bearer ${auditor}` } });
        log = ((await response.json()) as { events: LoggedEvent[] }).events;
        if (Date.now() > deadline) throw new Error(`seals ${JSON.stringify(sealsOf(log).map((seal) => seal.data.count))} do not cover the 12 team events after 60 s`);
      }
      const seals = sealsOf(log);
      expect(log.filter((event) => event.type !== 'LedgerSealed')).toHaveLength(12);
      expect(seals.map((seal) => seal.data.sealNumber)).toEqual(seals.map((_, i) => i + 1));
      expect(seals.every((seal) => (seal.data.count ?? 0) <= 5)).toBe(true);
      expect(seals.some((seal) => seal.data.count === 5)).toBe(true);
      const unsealed = log.filter((event) => compareCheckpoints(event.position, seals.at(-1)?.data.to as Checkpoint) > 0);
      expect(unsealed.every((event) => event.type === 'LedgerSealed')).toBe(true);

      await app.close();
      app = undefined;
      const store = await openEventStore(setup.store);
      try {
        const report = await verifyLedger(store);
        expect(report).toMatchObject({ ok: true, findingCount: 0, eventsChecked: 12 + seals.length, sealsChecked: seals.length, unsealedEvents: unsealed.length });
      } finally {
        await store.close();
      }
    }, 120_000);
  });
}

sealingE2e('embedded PGlite on disk', async (dataDir) => ({
  env: {},
  store: { kind: 'embedded', dataDir: join(dataDir, 'event-store') },
  cleanup: async () => undefined,
}));

describeWithEngine('postgres', 'ledger sealing on PostgreSQL (server mode)', () => {
  sealingE2e('PostgreSQL', async () => {
    const database = await freshPostgresDatabase();
    return {
      env: { CDT_DATABASE_URL: database.appUrl, CDT_DATABASE_ADMIN_URL: database.adminUrl },
      store: { kind: 'postgres', url: database.appUrl },
      cleanup: () => database.drop(),
    };
  });
});
