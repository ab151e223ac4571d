import { loadAdminUnits } from '@cdt/admin-units';
import { MongoKpiModel2Store } from '@cdt/read-store';
import { describeWithEngine, freshMongoDatabase } from '@cdt/testing';
import { rebuildKpiModel } from '../rebuild/rebuild-kpi-model';
import { adminUnitResolver } from '../runner/admin-unit-resolver';
import { ProjectionRunner } from '../runner/projection-runner';
import { appendLog, generateLog } from '../testing/generated-log';
import { openMongoLiveKpi, type MongoLiveKpi } from '../testing/live-kpi-service';
import { projectWholeLog } from '../testing/model-dump';
import { coarseProbes, figureProbes, queryAnswers } from '../testing/mongo-model-dump';

const resolve = adminUnitResolver(loadAdminUnits());
/** mongo-java-server writes a few thousand documents a second on a loaded 2-core machine. */
const BUDGET_MS = 600_000;

/**
 * KPI model 2 in service on MongoDB: a model-1 deployment migrated by a rebuild with `model: 2`; the
 * live store then opens the new version as a `MongoKpiModel2Store`, answers as model 1 did, and the
 * runner goes on projecting into it with model 2's projector.
 */
describeWithEngine('mongo', 'the live KPI model on MongoDB migrated to model 2', () => {
  let mongo: MongoLiveKpi;
  let runner: ProjectionRunner | undefined;

  beforeAll(async () => {
    mongo = await openMongoLiveKpi(await freshMongoDatabase());
  }, BUDGET_MS);

  afterAll(async () => {
    await runner?.stop();
    await mongo?.close();
  });

  it('rebuild with model 2 switches the live store to a MongoKpiModel2Store with model 1’s answers; the runner projects into it', async () => {
    const { raw, eventStore, readStore } = mongo;
    await appendLog(eventStore, generateLog({ teams: 4, activities: 80, seed: 31 }));
    runner = new ProjectionRunner({ eventStore, readStore, resolve, batchSize: 60, backoff: { initialMs: 5, maxMs: 20 } });
    await runner.start();
    await runner.waitUntilCaughtUp(BUDGET_MS);
    expect(await runner.status()).toMatchObject({ version: 'kpi_v1', model: 1 });
    const probes = coarseProbes(await figureProbes(raw.db, 'kpi_v1'));
    expect(probes.length).toBeGreaterThan(20);
    const model1 = await queryAnswers(readStore, probes);

    const rebuilt = await rebuildKpiModel({ eventStore, readStore, resolve, model: 2, batchSize: 50, graceMs: 600 });
    expect(rebuilt).toMatchObject({ version: 'kpi_v2', model: 2, previous: 'kpi_v1', dropped: ['kpi_v1'] });
    expect((await readStore.versions.list()).map((v) => [v.schema, v.status, v.model])).toEqual([['kpi_v2', 'live', 2]]);
    const live = await readStore.version('kpi_v2');
    expect(live.model).toBe(2);
    expect(live.store).toBeInstanceOf(MongoKpiModel2Store);
    await expect(readStore.health()).resolves.toBeUndefined();
    expect(await queryAnswers(readStore, probes)).toEqual(model1);

    // The runner follows the switch and projects new events with model 2's projector: equal to model 2 from scratch.
    await appendLog(eventStore, generateLog({ teams: 2, activities: 30, seed: 32 }));
    await runner.waitUntilCaughtUp(BUDGET_MS);
    expect(await runner.status()).toMatchObject({ version: 'kpi_v2', model: 2, lagEvents: 0 });
    const reference = await MongoKpiModel2Store.open(raw.db, { schema: 'kpi_reference' });
    await projectWholeLog(eventStore, { model: 2, store: reference }, resolve);
    expect(await readStore.checkpoint()).toEqual(await eventStore.head());
    expect(await queryAnswers(readStore, probes)).toEqual(await queryAnswers(reference, probes));
  }, BUDGET_MS);
});
