/**
 * Measurement aid (not a benchmark, nothing asserted): the projection service's own catch-up. A
 * `ProjectionRunner` (narrow subscription, the model's default batch size, model 2's pipelined catch-up, as
 * the service runs it) projects a kept bench log from the start into a fresh versioned read model in the
 * same database (server mode), and the time until it has caught up is reported with the CPU of this process
 * and of the database's backends per 1,000 events, and the process's peak RSS. The read-model schemas it
 * creates (`kpi_meta`, `kpi_v*`) are dropped before and after; the bench's own `kpi2_v1` is left alone.
 *   node --max-semi-space-size=64 -r ./scripts/register.js test/bench/projection/runner-catch-up.ts <database-url> [model=2] [batch size, default: the runner's]
 */
import { loadavg } from 'node:os';
import { Client, Pool } from 'pg';
import { loadAdminUnits } from '@cdt/admin-units';
import { openEventStore } from '@cdt/event-store';
import { adminUnitResolver, parseKpiModel, ProjectionRunner, VersionedKpiReadStore } from '@cdt/projection-feature';
import { pgDatabase } from '@cdt/read-store';
import { CpuMeter } from '../ingest/cpu-meter';

async function dropReadModels(admin: Client): Promise<void> {
  const { rows } = await admin.query<{ nspname: string }>(`select nspname from pg_namespace where nspname = 'kpi_meta' or nspname ~ '^kpi_v[0-9]+$'`);
  for (const { nspname } of rows) await admin.query(`drop schema ${nspname} cascade`);
}

async function main(): Promise<void> {
  const url = process.argv[2];
  const model = parseKpiModel(process.argv[3] ?? '2', 'model');
  const batchSize = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await dropReadModels(admin);
  const total = Number((await admin.query('select count(*)::int as n from event_store.events')).rows[0].n);
  const eventStore = await openEventStore({ kind: 'postgres', url, adminUrl: url, poolSize: 2 });
  const pool = new Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  const readStore = await VersionedKpiReadStore.open(pgDatabase(pool), { firstModel: model });
  const runner = new ProjectionRunner({ eventStore, readStore, resolve: adminUnitResolver(loadAdminUnits()), batchSize });
  const loadBefore = loadavg()[0];
  const meter = new CpuMeter(process.pid, url);
  await meter.begin();
  const started = performance.now();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 250);
  await runner.start();
  await runner.waitUntilCaughtUp(1_800_000);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const cpu = await meter.end();
  const status = await runner.status();
  await runner.stop();
  const per1k = (ms: number) => Math.round((ms * 1000) / total);
  process.stdout.write(
    `${JSON.stringify({
      model,
      batch_size: batchSize ?? 'default',
      events: total,
      events_projected: status.eventsProjected,
      events_per_s: Math.round(total / seconds),
      seconds: Math.round(seconds * 10) / 10,
      node_cpu_ms_per_1k: per1k(cpu.serviceMs),
      postgres_cpu_ms_per_1k: per1k(cpu.postgresMs),
      peak_rss_mib: Math.round(peakRss / 2 ** 20),
      load_before: loadBefore,
      load_after: loadavg()[0],
    })}\n`,
  );
  await readStore.close();
  await eventStore.close();
  await dropReadModels(admin);
  await admin.end();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
