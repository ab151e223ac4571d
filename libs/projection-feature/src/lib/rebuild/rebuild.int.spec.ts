import { loadAdminUnits } from '@cdt/admin-units';
import { KpiQueries } from '@cdt/read-store';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import type { KpiModel } from '../read-models/kpi-model';
import { adminUnitResolver } from '../runner/admin-unit-resolver';
import { runCdt } from '../testing/cdt-cli';
import { appendLog, generateLog } from '../testing/generated-log';
import { startPostgresKpiService, type PostgresKpiService } from '../testing/live-kpi-service';
import { dumpVersion, projectFromScratch } from '../testing/model-dump';
import { rebuildKpiModel } from './rebuild-kpi-model';

const resolve = adminUnitResolver(loadAdminUnits());
/** Projecting the log takes minutes on a shared 2-core machine: a catch-up and two projections per test. */
const BUDGET_MS = 600_000;

/** The same rebuild for a deployment on either model: the new version holds the live version's model. */
describe.each<KpiModel>([1, 2])('KPI model %i', (model) => {
  describeWithEngine('postgres', 'KPI model rebuild without downtime on PostgreSQL', () => {
    // The service: a live runner and the query side's store, as in `npm start` on PostgreSQL.
    let service: PostgresKpiService;

    beforeAll(async () => {
      service = await startPostgresKpiService(await freshPostgresDatabase(), { log: generateLog({ teams: 24, activities: 3_000, seed: 21, perAppend: 300 }), firstModel: model, budgetMs: BUDGET_MS });
    }, BUDGET_MS);

    afterAll(async () => {
      await service?.close();
    });

    it('resumes an interrupted rebuild from the new version’s own checkpoint', async () => {
      const { eventStore, openStore } = service;
      const head = Number((await eventStore.head()).globalPosition);
      const rebuilder = await openStore();
      try {
        const interrupt = new AbortController();
        const interrupted = rebuildKpiModel({
          eventStore,
          readStore: rebuilder,
          resolve,
          batchSize: 400,
          signal: interrupt.signal,
          onProgress: (p) => p.done > head / 2 && interrupt.abort(new Error('operator pressed Ctrl-C')),
        });
        await expect(interrupted).rejects.toThrow('operator pressed Ctrl-C');
        expect((await rebuilder.versions.list()).map((v) => [v.schema, v.status, v.model])).toEqual([['kpi_v1', 'live', model], ['kpi_v2', 'building', model]]);
        const reached = Number((await (await rebuilder.version('kpi_v2')).store.checkpoint())?.globalPosition);
        expect(reached).toBeGreaterThan(head / 2);
        expect(reached).toBeLessThan(head);

        const resumed = await rebuildKpiModel({ eventStore, readStore: rebuilder, resolve, batchSize: 400, graceMs: 100 });
        expect(resumed).toMatchObject({ version: 'kpi_v2', model, previous: 'kpi_v1', resumed: true, dropped: ['kpi_v1'] });
        expect(resumed.events).toBeLessThan(head / 2);
        expect(await dumpVersion(rebuilder.db, 'kpi_v2', model)).toEqual(await projectFromScratch(eventStore, rebuilder, 'kpi_reference_1', resolve, model));
      } finally {
        await rebuilder.close();
      }
    }, BUDGET_MS);

    it('`cdt projections rebuild` while queries run in a loop: none fails, every answer equals the one before the switch', async () => {
      const { database, eventStore, liveStore, runner } = service;
      const queries = new KpiQueries(liveStore);
      const ask = () =>
        Promise.all([
          queries.unitIndicators('as-recorded', { level: 'province', unitKey: '82' }, '2024'),
          queries.unitIndicators('current', { level: 'province', unitKey: '82' }, '2025-Q3'),
          queries.rankChildren('as-recorded', { level: 'province', unitKey: '82' }, 'commune', 'household-visits', '2024'),
          queries.compareUnits('current', 'commune', ['28249', '28261', '28270', '28273'], '2025'),
        ]);
      const before = await ask();
      expect(before[2].length).toBeGreaterThan(3);

      let rebuilding = true;
      let answered = 0;
      const failures: unknown[] = [];
      const mismatches: number[] = [];
      const loop = (async () => {
        while (rebuilding) {
          try {
            const answer = await ask();
            if (JSON.stringify(answer) !== JSON.stringify(before)) mismatches.push(answered);
            answered += 1;
          } catch (error) {
            failures.push(error);
          }
        }
      })();
      const run = await runCdt(['projections', 'rebuild', '--database-url', database.adminUrl, '--batch-size', '500', '--grace-ms', '1500']);
      // Keep asking past the drop of the old version.
      await new Promise((done) => setTimeout(done, 1000));
      rebuilding = false;
      await loop;

      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`live KPI model is now kpi_v3 (was kpi_v2), model ${model}`);
      expect(failures).toEqual([]);
      expect(mismatches).toEqual([]);
      expect(answered).toBeGreaterThan(10);
      expect(await liveStore.activeSchema()).toBe('kpi_v3');
      expect(await ask()).toEqual(before);

      // The live runner moved over to the new version and goes on projecting there.
      await appendLog(eventStore, generateLog({ teams: 3, activities: 100, seed: 22 }));
      await runner.waitUntilCaughtUp(BUDGET_MS);
      expect((await runner.status()).version).toBe('kpi_v3');
      expect(await dumpVersion(liveStore.db, 'kpi_v3', model)).toEqual(await projectFromScratch(eventStore, liveStore, 'kpi_reference_2', resolve, model));
      const schemas = await liveStore.db.query<{ nspname: string }>(`select nspname from pg_namespace where nspname like 'kpi\\_v%' order by 1`);
      expect(schemas.rows.map((r) => r.nspname)).toEqual(['kpi_v3']);
    }, BUDGET_MS);
  });
});
