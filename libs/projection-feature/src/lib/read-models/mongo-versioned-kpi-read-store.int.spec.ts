import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAdminUnits } from '@cdt/admin-units';
import { describeWithEngine, freshMongoDatabase } from '@cdt/testing';
import { rebuildKpiModel } from '../rebuild/rebuild-kpi-model';
import { adminUnitResolver } from '../runner/admin-unit-resolver';
import { ProjectionRunner } from '../runner/projection-runner';
import { runCdt } from '../testing/cdt-cli';
import { appendLog, generateLog } from '../testing/generated-log';
import { openMongoLiveKpi, type MongoLiveKpi } from '../testing/live-kpi-service';
import { projectWholeLog } from '../testing/model-dump';
import { coarseProbes, dumpMongoModel, figureProbes, queryAnswers } from '../testing/mongo-model-dump';
import { BUILD_LEASE_MS } from './kpi-versions';
import { MongoKpiVersions } from './mongo-kpi-versions';

const resolve = adminUnitResolver(loadAdminUnits());
/** mongo-java-server writes a few thousand documents a second on a loaded 2-core machine (~80 per event); each test projects its log twice. */
const BUDGET_MS = 600_000;

describeWithEngine('mongo', 'the live versioned KPI model on MongoDB', () => {
  let mongo: MongoLiveKpi;
  let runner: ProjectionRunner;

  /** The reference: the whole log projected in one pass into a version of its own, compared document by document and through the queries. */
  const expectEqualToFromScratch = async (live: string, reference: string) => {
    const { raw, eventStore, readStore } = mongo;
    await projectWholeLog(eventStore, await readStore.version(reference), resolve);
    const dump = await dumpMongoModel(raw.db, live);
    expect(dump.figures.length).toBeGreaterThan(300);
    expect(dump).toEqual(await dumpMongoModel(raw.db, reference));
    const probes = coarseProbes(await figureProbes(raw.db, reference));
    expect(probes.length).toBeGreaterThan(20);
    // Through the live pointer (the query side's path) against the reference version's own store.
    expect(await queryAnswers(readStore, probes)).toEqual(await queryAnswers((await readStore.version(reference)).store, probes));
  };

  beforeAll(async () => {
    mongo = await openMongoLiveKpi(await freshMongoDatabase());
  }, BUDGET_MS);

  afterAll(async () => {
    await runner?.stop();
    await mongo?.close();
  });

  it('the ProjectionRunner catches up in batches, then projects live events, equal to a from-scratch projection', async () => {
    const { eventStore, readStore } = mongo;
    await appendLog(eventStore, generateLog({ teams: 5, activities: 120, seed: 1 }));
    runner = new ProjectionRunner({ eventStore, readStore, resolve, batchSize: 60, backoff: { initialMs: 5, maxMs: 20 } });
    await runner.start();
    await runner.waitUntilCaughtUp(BUDGET_MS);
    await appendLog(eventStore, generateLog({ teams: 2, activities: 40, seed: 2 }));
    await runner.waitUntilCaughtUp(BUDGET_MS);

    expect(await runner.status()).toMatchObject({ state: 'live', version: 'kpi_v1', lagEvents: 0 });
    expect(await readStore.checkpoint()).toEqual(await eventStore.head());
    await expectEqualToFromScratch('kpi_v1', 'kpi_reference_1');
  }, BUDGET_MS);

  it('a rebuild builds kpi_v2 beside the live model, resumes after an interruption, switches the pointer, drops kpi_v1; queries keep answering', async () => {
    const { raw, eventStore, readStore } = mongo;
    const before = await queryAnswers(readStore, coarseProbes(await figureProbes(raw.db, 'kpi_v1')).slice(0, 15));
    const head = Number((await eventStore.head()).globalPosition);

    // Interrupted half-way: kpi_v2 stays `building` with its own checkpoint, the lease is given back.
    const interrupt = new AbortController();
    await expect(
      rebuildKpiModel({ eventStore, readStore, resolve, batchSize: 40, signal: interrupt.signal, onProgress: (p) => p.done > head / 2 && interrupt.abort(new Error('operator pressed Ctrl-C')) }),
    ).rejects.toThrow('operator pressed Ctrl-C');
    expect((await readStore.versions.list()).map((v) => [v.schema, v.status])).toEqual([['kpi_v1', 'live'], ['kpi_v2', 'building']]);
    expect(Number((await (await readStore.version('kpi_v2')).store.checkpoint())?.globalPosition)).toBeLessThan(head);

    let rebuilding = true;
    let answered = 0;
    const failures: unknown[] = [];
    const mismatches: number[] = [];
    const probes = coarseProbes(await figureProbes(raw.db, 'kpi_v1')).slice(0, 15);
    const loop = (async () => {
      while (rebuilding) {
        try {
          if (JSON.stringify(await queryAnswers(readStore, probes)) !== JSON.stringify(before)) mismatches.push(answered);
          answered += 1;
        } catch (error) {
          failures.push(error);
        }
      }
    })();
    const rebuilt = await rebuildKpiModel({ eventStore, readStore, resolve, batchSize: 40, graceMs: 1_000 });
    await new Promise((done) => setTimeout(done, 500)); // keep asking past the drop of kpi_v1
    rebuilding = false;
    await loop;

    expect(rebuilt).toMatchObject({ version: 'kpi_v2', previous: 'kpi_v1', resumed: true, dropped: ['kpi_v1'] });
    expect(rebuilt.events).toBeLessThan(head / 2 + 40);
    expect(failures).toEqual([]);
    expect(mismatches).toEqual([]);
    expect(answered).toBeGreaterThan(2);
    expect(await readStore.versions.active()).toBe('kpi_v2');
    expect((await readStore.versions.list()).map((v) => [v.schema, v.status])).toEqual([['kpi_v2', 'live']]);
    const collections = (await raw.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(collections.filter((name) => name.startsWith('kpi_v1.'))).toEqual([]);

    // The live runner follows the switch and goes on projecting into kpi_v2.
    await appendLog(eventStore, generateLog({ teams: 1, activities: 30, seed: 3 }));
    await runner.waitUntilCaughtUp(BUDGET_MS);
    expect((await runner.status()).version).toBe('kpi_v2');
    await expectEqualToFromScratch('kpi_v2', 'kpi_reference_2');
  }, BUDGET_MS);

  it('one rebuild at a time: a live build lease is refused, an abandoned one is resumed; a switch is one atomic write; the CLI finds the model', async () => {
    const { database, raw, readStore } = mongo;
    await runner.stop(); // the pointer is moved by hand below, to versions nothing was built in
    const versions = new MongoKpiVersions(raw.db);
    const t0 = new Date();
    const started = await versions.startBuild(t0);
    expect(started).toEqual({ schema: 'kpi_v3', resumed: false, model: 1 });
    await expect(versions.startBuild(new Date(t0.getTime() + 1_000))).rejects.toThrow('a rebuild of kpi_v3 is running');
    expect(await versions.startBuild(new Date(t0.getTime() + BUILD_LEASE_MS + 1))).toEqual({ schema: 'kpi_v3', resumed: true, model: 1 });
    await expect(versions.switchTo('kpi_v9')).rejects.toThrow('cannot switch to kpi_v9');

    // Two processes switch at once: one write wins the compare-and-set, the other re-reads and finds it done.
    const [a, b] = await Promise.all([versions.switchTo('kpi_v3'), new MongoKpiVersions(raw.db).switchTo('kpi_v3')]);
    expect([a, b].sort()).toEqual(['kpi_v2', 'kpi_v3']);
    expect((await versions.list()).map((v) => [v.schema, v.status])).toEqual([['kpi_v2', 'retired'], ['kpi_v3', 'live']]);
    expect(await versions.switchTo('kpi_v2')).toBe('kpi_v3');
    expect(await versions.active()).toBe('kpi_v2');
    await expect(readStore.versions.dropRetired()).resolves.toEqual(['kpi_v3']);

    // The operator's CLI finds the same model through CDT_READ_MODEL_URL; verify (SQL only) refuses it by name.
    const dataDir = mkdtempSync(join(tmpdir(), 'cdt-mongo-cli-'));
    try {
      const env = { ...process.env, CDT_READ_MODEL_URL: database.url };
      const status = await runCdt(['projections', 'status', '--data-dir', dataDir], env);
      expect(status).toMatchObject({ code: 0, stderr: '' });
      expect(status.stdout).toMatch(/\* kpi_v2 +live/);
      const verify = await runCdt(['projections', 'verify', '--data-dir', dataDir], env);
      expect(verify.code).toBe(1);
      expect(verify.stderr).toContain('cdt projections verify is not available on MongoDB read models');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, BUDGET_MS);
});
