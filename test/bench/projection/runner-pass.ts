import { Client, Pool } from 'pg';
import { loadAdminUnits } from '@cdt/admin-units';
import type { EventStore } from '@cdt/event-store';
import { adminUnitResolver, ProjectionRunner, VersionedKpiReadStore, type KpiModel } from '@cdt/projection-feature';
import { pgDatabase } from '@cdt/read-store';

export interface RunnerPassResult {
  events: number;
  seconds: number;
  perSecond: number;
  /** The process's resident set at its largest while the runner caught up (sampled every 250 ms). */
  peakRssMib: number;
}

/** Drops the versioned read model's schemas (`kpi_meta`, `kpi_v*`); the bench's own `kpi2_*` schemas are left alone. */
async function dropReadModels(url: string): Promise<void> {
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ nspname: string }>(`select nspname from pg_namespace where nspname = 'kpi_meta' or nspname ~ '^kpi_v[0-9]+$'`);
    for (const { nspname } of rows) await admin.query(`drop schema ${nspname} cascade`);
  } finally {
    await admin.end();
  }
}

/**
 * The projection service's own catch-up: a `ProjectionRunner` as the service runs it (narrow subscription
 * reading one page ahead, the model's default batch size or `batchSize`, model 2's pipelined catch-up) from
 * the start of the log into a fresh versioned read model in the same database (server mode), until caught
 * up. The read-model schemas are dropped before and after. `whenCaughtUp` runs before the runner and its
 * connections close (a CPU meter reads the database backends that are still there).
 */
export async function runnerCatchUp<T>(
  url: string,
  eventStore: EventStore,
  model: KpiModel,
  total: number,
  whenCaughtUp: () => Promise<T>,
  batchSize?: number,
): Promise<RunnerPassResult & { caughtUp: T }> {
  await dropReadModels(url);
  const pool = new Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  const readStore = await VersionedKpiReadStore.open(pgDatabase(pool), { firstModel: model });
  const runner = new ProjectionRunner({ eventStore, readStore, resolve: adminUnitResolver(loadAdminUnits()), batchSize });
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 250);
  const started = performance.now();
  try {
    await runner.start();
    await runner.waitUntilCaughtUp(3_600_000);
    const seconds = (performance.now() - started) / 1000;
    const caughtUp = await whenCaughtUp();
    return { caughtUp, events: total, seconds: Math.round(seconds * 10) / 10, perSecond: Math.round(total / seconds), peakRssMib: Math.round(peakRss / 2 ** 20) };
  } finally {
    clearInterval(sampler);
    await runner.stop();
    await readStore.close();
    await dropReadModels(url);
  }
}
