import { loadAdminUnits } from '@cdt/admin-units';
import type { UnitResolver } from '@cdt/domain-kpi';
import { openEventStore, type ManagedEventStore } from '@cdt/event-store';
import { KpiQueries, SqlKpiModel2Store } from '@cdt/read-store';
import { Registry } from 'prom-client';
import { openReadModelDatabase } from '../read-models/read-model-database';
import type { KpiModel } from '../read-models/kpi-model';
import { VersionedKpiReadStore } from '../read-models/versioned-kpi-read-store';
import { rebuildKpiModel } from '../rebuild/rebuild-kpi-model';
import { appendLog, generateLog } from '../testing/generated-log';
import { dumpVersion, projectFromScratch } from '../testing/model-dump';
import { adminUnitResolver } from './admin-unit-resolver';
import { ProjectionRunner, type RunnerLogger } from './projection-runner';

const resolve = adminUnitResolver(loadAdminUnits());
/** PGlite projects slowly on a shared 2-core machine; each test projects its log twice. */
const BUDGET_MS = 300_000;

const metric = async (registry: Registry, name: string): Promise<number> => {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return Number(found?.values[0]?.value ?? NaN);
};

describe.each<KpiModel>([1, 2])('ProjectionRunner (embedded PGlite), KPI model %i', (model) => {
  let eventStore: ManagedEventStore;
  let readStore: VersionedKpiReadStore;
  let registry: Registry;
  const runners: ProjectionRunner[] = [];
  const runner = (options: { resolve?: UnitResolver; batchSize?: number; logger?: RunnerLogger; pipelineCatchUp?: boolean } = {}) => {
    const created = new ProjectionRunner({
      eventStore, readStore, resolve: options.resolve ?? resolve, batchSize: options.batchSize ?? 97, registry, backoff: { initialMs: 5, maxMs: 20 },
      logger: options.logger, pipelineCatchUp: options.pipelineCatchUp,
    });
    runners.push(created);
    return created;
  };

  let references = 0;
  const reference = () => projectFromScratch(eventStore, readStore, `kpi_ref${++references}`, resolve, model);
  const dump = (schema: string) => dumpVersion(readStore.db, schema, model);

  // One log and one read-model database for the suite (a PGlite instance takes seconds to start): each
  // test appends its own events and compares the whole model with a fresh from-scratch projection.
  beforeAll(async () => {
    eventStore = await openEventStore({ kind: 'memory', pollIntervalMs: 50 });
    readStore = await VersionedKpiReadStore.open(await openReadModelDatabase({ kind: 'memory' }), { firstModel: model });
  });

  beforeEach(() => {
    registry = new Registry();
  });

  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await readStore?.close();
    await eventStore?.close();
  });

  it('catches up in batches, then projects live events, equal to a from-scratch projection', async () => {
    await appendLog(eventStore, generateLog({ teams: 12, activities: 400, seed: 1 }));
    // Model 2 catches up through the pipeline (Model2Pipeline encodes a page while the one before is written).
    const pipelined = jest.spyOn(SqlKpiModel2Store.prototype, 'prepare');
    const projection = runner();
    await projection.start();
    await projection.waitUntilCaughtUp();
    const pagesPipelined = pipelined.mock.calls.length;
    await appendLog(eventStore, generateLog({ teams: 3, activities: 100, seed: 2 }));
    await projection.waitUntilCaughtUp();

    const live = await dump('kpi_v1');
    expect(Object.values(live).flat().length).toBeGreaterThan(300);
    expect(live).toEqual(await reference());
    expect(pagesPipelined > 0).toBe(model === 2);
    const status = await projection.status();
    expect(status).toMatchObject({ state: 'live', version: 'kpi_v1', model, lagEvents: 0, lagSeconds: 0 });
    expect(await metric(registry, 'cdt_projection_events_total')).toBe(status.eventsProjected);
    expect(await metric(registry, 'cdt_projection_lag_events')).toBe(0);
  }, BUDGET_MS);

  it('without pipelineCatchUp (a feed that commits its position when the handler returns), every batch is written before the next', async () => {
    await appendLog(eventStore, generateLog({ teams: 5, activities: 300, seed: 7 }));
    const pipelined = jest.spyOn(SqlKpiModel2Store.prototype, 'prepare');
    const projection = runner({ pipelineCatchUp: false });
    await projection.start();
    await projection.waitUntilCaughtUp();
    expect(pipelined).not.toHaveBeenCalled();
    expect(await dump('kpi_v1')).toEqual(await reference());
  }, BUDGET_MS);

  it('reports lag in events and seconds while behind', async () => {
    const projection = runner();
    await projection.start();
    await projection.waitUntilCaughtUp();
    await projection.stop();
    const appended = await appendLog(eventStore, generateLog({ teams: 2, activities: 50, seed: 3 }));
    expect(await metric(registry, 'cdt_projection_lag_events')).toBe(appended);
    expect(await metric(registry, 'cdt_projection_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect((await projection.status()).lagEvents).toBe(appended);
  }, BUDGET_MS);

  it('retries a failing batch until it commits: nothing skipped, nothing counted twice', async () => {
    await appendLog(eventStore, generateLog({ teams: 6, activities: 250, seed: 4 }));
    // Every third transaction fails after its statements ran (as a connection lost before COMMIT would):
    // the database rolls it back and the runner must try the same batch again.
    const db = readStore.db;
    const transaction = db.transaction;
    let transactions = 0;
    db.transaction = (work) =>
      transaction((tx) =>
        work(tx).then((result) => {
          if (++transactions % 3 === 1 && transactions < 20) throw new Error('connection lost before commit');
          return result;
        }),
      );
    const warnings: string[] = [];
    const logger: RunnerLogger = { info: () => undefined, warn: (_, message) => void warnings.push(message), error: () => undefined };
    try {
      const projection = runner({ logger });
      await projection.start();
      await projection.waitUntilCaughtUp();
    } finally {
      db.transaction = transaction;
    }
    expect(await metric(registry, 'cdt_projection_batch_failures_total')).toBeGreaterThan(1);
    // Model 2's catch-up cannot retry one page alone (the page after it is already projected): it resubscribes.
    const resubscribed = warnings.filter((message) => message.startsWith('projection catch-up write failed'));
    if (model === 2) expect(resubscribed.length).toBeGreaterThan(0);
    else expect(resubscribed).toEqual([]);
    expect(await dump('kpi_v1')).toEqual(await reference());
  }, BUDGET_MS);

  it('follows a rebuild: the switched-to version is projected live and the old one is dropped', async () => {
    await appendLog(eventStore, generateLog({ teams: 4, activities: 200, seed: 5 }));
    const projection = runner();
    await projection.start();
    await projection.waitUntilCaughtUp();
    const queries = new KpiQueries(readStore);
    const before = await queries.unitIndicators('as-recorded', { level: 'province', unitKey: '82' }, '2024');

    const result = await rebuildKpiModel({ eventStore, readStore, resolve, batchSize: 250, graceMs: 10 });
    expect(result).toMatchObject({ version: 'kpi_v2', model, previous: 'kpi_v1', dropped: ['kpi_v1'], resumed: false });
    expect(await queries.unitIndicators('as-recorded', { level: 'province', unitKey: '82' }, '2024')).toEqual(before);

    await appendLog(eventStore, generateLog({ teams: 2, activities: 60, seed: 6 }));
    await projection.waitUntilCaughtUp();
    expect((await projection.status()).version).toBe('kpi_v2');
    expect(await dump('kpi_v2')).toEqual(await reference());
    const schemas = await readStore.db.query<{ nspname: string }>(`select nspname from pg_namespace where nspname like 'kpi_v%' order by 1`);
    expect(schemas.rows.map((r) => r.nspname)).toEqual(['kpi_v2']);
  }, BUDGET_MS);
});
