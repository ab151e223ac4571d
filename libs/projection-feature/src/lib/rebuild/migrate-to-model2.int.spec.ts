import { loadAdminUnits } from '@cdt/admin-units';
import type { ManagedEventStore } from '@cdt/event-store';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import type { LiveKpiReadStore } from '../read-models/live-kpi-read-store';
import { adminUnitResolver } from '../runner/admin-unit-resolver';
import { runCdt } from '../testing/cdt-cli';
import { appendLog, generateLog, type Append } from '../testing/generated-log';
import { startKpiHttpApp, type KpiHttpApp } from '../testing/kpi-http-app';
import { startPostgresKpiService, type PostgresKpiService } from '../testing/live-kpi-service';
import { dumpVersion, projectFromScratch } from '../testing/model-dump';

const resolve = adminUnitResolver(loadAdminUnits());
const BUDGET_MS = 600_000;

/** The /v1/kpi API over a live store, as a service serves it (its own KpiReader, so its own answer cache), asked by the ministry. */
async function kpiService(readStore: LiveKpiReadStore, events: ManagedEventStore): Promise<{ http: KpiHttpApp; get(path: string): Promise<{ status: number; body: unknown }> }> {
  const http = await startKpiHttpApp({ events, readStore, serviceName: 'migrate-spec' });
  const token = await http.token({ subject: 'ministry-1', role: 'ministry' });
  return {
    http,
    get: async (path) => {
      const response = await fetch(`${http.base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: await response.json() };
    },
  };
}

/** The questions an officer asks: every level, both views, several period kinds, drill-downs, a series, a comparison. */
function questions(log: Append[]): string[] {
  const established = log.flatMap((a) => a.events).find((e) => e.type === 'TeamEstablished');
  const { teamId, communeCode, village } = established?.data as { teamId: string; communeCode: string; village: string };
  return [
    '/v1/kpi/nation/VN?period=2024',
    '/v1/kpi/province/82?period=2024',
    '/v1/kpi/province/82?period=2025-Q3&view=current',
    '/v1/kpi/commune/28249?period=2024-03',
    '/v1/kpi/commune/28261?period=2025&view=current',
    `/v1/kpi/village/${encodeURIComponent(`${communeCode}/${village}`)}?period=2024`,
    `/v1/kpi/team/${teamId}?period=2024-Q2`,
    `/v1/kpi/team/${teamId}?period=2024-05-14`,
    '/v1/kpi/province/82/children?indicator=household-visits&period=2024',
    '/v1/kpi/province/82/children?indicator=households-reached&period=2025&view=current',
    `/v1/kpi/commune/${communeCode}/children?indicator=household-visits&period=2024&childLevel=village`,
    '/v1/kpi/commune/28249/children?indicator=app-installs&period=2025-W20&view=current&childLevel=team',
    '/v1/kpi/province/82/series?indicator=households-reached&from=2024-01&to=2025-12',
    '/v1/kpi/compare?units=commune:28249,commune:28261,commune:28270&period=2025&view=current',
  ];
}

/**
 * The zero-downtime migration of a model-1 deployment: `cdt projections rebuild --model 2` builds a
 * model-2 version beside the live model 1 while the service answers, switches when caught up and drops
 * model 1; the HTTP answers after the switch (from a cold service, no cached answer) equal model 1's.
 */
describeWithEngine('postgres', 'migrating a model-1 deployment to KPI model 2 with `cdt projections rebuild --model 2`', () => {
  let service: PostgresKpiService;
  const apps: KpiHttpApp[] = [];
  const log = generateLog({ teams: 24, activities: 3_000, seed: 21, perAppend: 300 });

  beforeAll(async () => {
    service = await startPostgresKpiService(await freshPostgresDatabase(), { log, budgetMs: BUDGET_MS });
  }, BUDGET_MS);

  afterAll(async () => {
    for (const app of apps) await app.close();
    await service?.close();
  });

  it('queries answer throughout; after the switch the HTTP answers equal model 1’s; the runner goes on in model 2', async () => {
    const { database, eventStore, liveStore, runner, openStore } = service;
    expect(await liveStore.versions.list()).toEqual([expect.objectContaining({ schema: 'kpi_v1', status: 'live', model: 1 })]);
    const serving = await kpiService(liveStore, eventStore);
    apps.push(serving.http);
    const paths = questions(log);
    const ask = async (service: typeof serving) => Promise.all(paths.map((path) => service.get(path)));
    const model1 = await ask(serving);
    expect(model1.map((r) => r.status)).toEqual(paths.map(() => 200));
    expect(JSON.stringify(model1)).toMatch(/"value":[1-9]/);

    let migrating = true;
    let answered = 0;
    const failures: unknown[] = [];
    const mismatches: string[] = [];
    const loop = (async () => {
      while (migrating) {
        try {
          const answers = await ask(serving);
          answers.forEach((answer, i) => JSON.stringify(answer) !== JSON.stringify(model1[i]) && mismatches.push(paths[i]));
          answered += 1;
        } catch (error) {
          failures.push(error);
        }
      }
    })();
    const run = await runCdt(['projections', 'rebuild', '--database-url', database.adminUrl, '--model', '2', '--batch-size', '500', '--grace-ms', '1500']);
    await new Promise((done) => setTimeout(done, 1000)); // keep asking past the drop of model 1
    migrating = false;
    await loop;

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('building kpi_v2 (KPI model 2)');
    expect(run.stdout).toContain('live KPI model is now kpi_v2 (was kpi_v1), model 2');
    expect(failures).toEqual([]);
    expect(mismatches).toEqual([]);
    expect(answered).toBeGreaterThan(2);
    expect(await liveStore.versions.list()).toEqual([expect.objectContaining({ schema: 'kpi_v2', status: 'live', model: 2 })]);
    expect((await liveStore.version('kpi_v2')).model).toBe(2);

    // A service started after the switch has no answer cached from model 1: model 2 computes every answer.
    const cold = await openStore();
    try {
      const fresh = await kpiService(cold, eventStore);
      apps.push(fresh.http);
      const model2 = await ask(fresh);
      paths.forEach((path, i) => expect({ path, ...model2[i] }).toEqual({ path, ...model1[i] }));
    } finally {
      await cold.close();
    }

    // The live runner follows the switch and projects new events with model 2's projector.
    await appendLog(eventStore, generateLog({ teams: 3, activities: 100, seed: 22 }));
    await runner.waitUntilCaughtUp(BUDGET_MS);
    expect(await runner.status()).toMatchObject({ version: 'kpi_v2', model: 2 });
    expect(await dumpVersion(liveStore.db, 'kpi_v2', 2)).toEqual(await projectFromScratch(eventStore, liveStore, 'kpi_reference', resolve, 2));
  }, BUDGET_MS);
});
