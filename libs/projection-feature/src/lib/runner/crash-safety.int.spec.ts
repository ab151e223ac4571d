import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline';
import { loadAdminUnits } from '@cdt/admin-units';
import { openEventStore, type EventStoreOptions, type ManagedEventStore } from '@cdt/event-store';
import { describeWithEngine, freshPostgresDatabase, type FreshPostgresDatabase } from '@cdt/testing';
import { openReadModelDatabase, type ReadModelDatabaseOptions } from '../read-models/read-model-database';
import type { KpiModel } from '../read-models/kpi-model';
import { VersionedKpiReadStore } from '../read-models/versioned-kpi-read-store';
import { appendLog, generateLog } from '../testing/generated-log';
import { dumpVersion, projectFromScratch } from '../testing/model-dump';
import { adminUnitResolver } from './admin-unit-resolver';

const ROOT = resolvePath(__dirname, '../../../../..');
const CHILD = join(__dirname, '../testing/runner-process.ts');

interface Child {
  process: ChildProcess;
  /** Resolves with the first status line whose global position reaches `position`. */
  reached(position: number): Promise<void>;
  /** The global position of the last status line. */
  position(): number;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();

/** The runner in its own process (as in production), so SIGKILL really cuts it off wherever it is. */
function startRunner(events: EventStoreOptions, readModels: ReadModelDatabaseOptions, model: KpiModel, exitWhenCaughtUp: boolean, batchSize: number): Child {
  const child = spawn(process.execPath, ['-r', './scripts/register.js', CHILD], {
    cwd: ROOT,
    env: {
      ...process.env,
      CDT_RUNNER_EVENTS: JSON.stringify(events),
      CDT_RUNNER_READ_MODELS: JSON.stringify(readModels),
      CDT_RUNNER_BATCH_SIZE: String(batchSize),
      CDT_RUNNER_EXIT_WHEN_CAUGHT_UP: exitWhenCaughtUp ? '1' : '0',
      CDT_RUNNER_KPI_MODEL: String(model),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!child.stdout) throw new Error('the runner process has no stdout pipe');
  let position = 0;
  const waiting: { position: number; resolve: () => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const status = JSON.parse(line) as { checkpoint: { globalPosition: string } | null };
    position = Number(status.checkpoint?.globalPosition ?? 0);
    for (const w of waiting.splice(0)) if (position >= w.position) w.resolve(); else waiting.push(w);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    reached: (target) =>
      new Promise<void>((resolve, reject) => {
        if (position >= target) return resolve();
        waiting.push({ position: target, resolve });
        void exited.then((code) => reject(new Error(`runner exited (${code}) at position ${position} before ${target}`)));
      }),
    exited,
    position: () => position,
  };
}

/**
 * Kills the runner twice in the middle of catching up, lets a third run finish, and compares. Batches
 * are small next to the log (dozens of them), so the kill lands well before the head even when the
 * runner is fast: it reports each batch and is killed on the first report past the target.
 */
async function killMidCatchUpThenCompare(events: EventStoreOptions, readModels: ReadModelDatabaseOptions, model: KpiModel, head: number): Promise<void> {
  const batchSize = Math.max(20, Math.floor(head / 40));
  for (const share of [0.2, 0.55]) {
    const child = startRunner(events, readModels, model, false, batchSize);
    await child.reached(Math.floor(head * share));
    child.process.kill('SIGKILL');
    expect(child.position()).toBeLessThan(head);
    expect(await child.exited).toBeNull();
  }
  const last = startRunner(events, readModels, model, true, batchSize);
  expect(await last.exited).toBe(0);
}

const resolve = adminUnitResolver(loadAdminUnits());
/** A runner process left by a failed test holds connections (and PGlite files): end it before cleaning up. */
const killChildren = async () => {
  const exits = [...children].map((child) => new Promise((done) => child.once('exit', done)));
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(exits);
};
/** Catch-up on a shared 2-core machine is slow; the budget covers three runner starts and two full projections. */
const BUDGET_MS = 900_000;

/** Each suite runs for both KPI models: the runner projects into whichever model the live version holds. */
const MODELS: KpiModel[] = [1, 2];

describe.each(MODELS)('KPI model %i', (model) => {
  describeWithEngine('postgres', 'projection runner crash safety on PostgreSQL', () => {
    let database: FreshPostgresDatabase;
    let eventStore: ManagedEventStore;

    beforeAll(async () => {
      database = await freshPostgresDatabase();
      eventStore = await openEventStore({ kind: 'postgres', url: database.appUrl, adminUrl: database.adminUrl });
    });

    afterAll(async () => {
      await killChildren();
      await eventStore?.close();
      await database?.drop();
    });

    it('SIGKILL twice while catching up over 20,000 events, restart: the model equals a from-scratch rebuild', async () => {
      const appended = await appendLog(eventStore, generateLog({ teams: 60, activities: 20_000, seed: 11, perAppend: 500 }));
      expect(appended).toBeGreaterThan(20_000);
      const head = Number((await eventStore.head()).globalPosition);
      await killMidCatchUpThenCompare({ kind: 'postgres', url: database.appUrl }, { kind: 'postgres', url: database.adminUrl }, model, head);

      const readStore = await VersionedKpiReadStore.open(await openReadModelDatabase({ kind: 'postgres', url: database.adminUrl }));
      try {
        expect((await readStore.version('kpi_v1')).model).toBe(model);
        const survived = await dumpVersion(readStore.db, 'kpi_v1', model);
        expect(Object.values(survived).flat().length).toBeGreaterThan(10_000);
        expect(survived).toEqual(await projectFromScratch(eventStore, readStore, 'kpi_reference', resolve, model));
      } finally {
        await readStore.close();
      }
    }, BUDGET_MS);
  });

  describe('projection runner crash safety on embedded PGlite', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdt-crash-'));
    afterAll(async () => {
      await killChildren();
      rmSync(dir, { recursive: true, force: true });
    });

    it('SIGKILL twice while catching up, restart: the model equals a from-scratch rebuild', async () => {
      const events: EventStoreOptions = { kind: 'embedded', dataDir: join(dir, 'event-store') };
      const readModels: ReadModelDatabaseOptions = { kind: 'embedded', dataDir: join(dir, 'read-models') };
      let eventStore = await openEventStore(events);
      await appendLog(eventStore, generateLog({ teams: 20, activities: 3_000, seed: 12, perAppend: 500 }));
      const head = Number((await eventStore.head()).globalPosition);
      // PGlite is one process's database: the runner process opens it only once this one has let go.
      await eventStore.close();
      await killMidCatchUpThenCompare(events, readModels, model, head);

      eventStore = await openEventStore(events);
      const readStore = await VersionedKpiReadStore.open(await openReadModelDatabase(readModels));
      try {
        expect((await readStore.version('kpi_v1')).model).toBe(model);
        expect(await dumpVersion(readStore.db, 'kpi_v1', model)).toEqual(await projectFromScratch(eventStore, readStore, 'kpi_reference', resolve, model));
      } finally {
        await readStore.close();
        await eventStore.close();
      }
    }, BUDGET_MS);
  });
});
