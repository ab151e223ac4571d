/**
 * Measurement aid (not a benchmark, nothing asserted): only the pipelined model-2 catch-up of the bench
 * (catchUpModel2, pages of `page`) over a kept bench log, into a scratch schema `kpi2_cu` dropped at the end,
 * so write-path changes can be compared back to back in a minute each. Prints events/s, the CPU of this
 * process and of its PostgreSQL backends per 1,000 events, and the load average before and after.
 * `schema` and `keep` leave the model in that schema (for query-model2.ts), analysed.
 *   node -r ./scripts/register.js test/bench/projection/catch-up-model2.ts <database-url> [page=20000] [schema=kpi2_cu] [keep]
 */
import { loadavg } from 'node:os';
import { Client, Pool } from 'pg';
import { loadAdminUnits } from '@cdt/admin-units';
import { openEventStore } from '@cdt/event-store';
import { pgDatabase, SqlKpiModel2Store } from '@cdt/read-store';
import { progressBars } from '../bench-cli';
import { CpuMeter } from '../ingest/cpu-meter';
import { catchUpModel2 } from './catch-up';
import { adminUnitResolver } from './resolver';

async function main(): Promise<void> {
  const url = process.argv[2];
  const page = Number(process.argv[3] ?? 20000);
  const SCHEMA = process.argv[4] ?? 'kpi2_cu';
  const keep = process.argv[5] === 'keep';
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop schema if exists ${SCHEMA} cascade`);
  const total = Number((await admin.query('select count(*)::int as n from event_store.events')).rows[0].n);
  const store = await openEventStore({ kind: 'postgres', url, adminUrl: url, poolSize: 2 });
  const model = await SqlKpiModel2Store.open(pgDatabase(new Pool({ connectionString: url, max: 4 })), SCHEMA);
  const loadBefore = loadavg()[0];
  const meter = new CpuMeter(process.pid, url);
  await meter.begin();
  const bars = progressBars();
  const pass = await catchUpModel2(bars, 'kpi2 catch-up', store, model, adminUnitResolver(loadAdminUnits()), total, page, true);
  bars.stop();
  const cpu = await meter.end();
  const per1k = (ms: number) => Math.round((ms * 1000) / pass.events);
  process.stdout.write(
    `${JSON.stringify({ events: pass.events, events_per_s: pass.perSecond, seconds: pass.seconds, node_cpu_ms_per_1k: per1k(cpu.serviceMs), postgres_cpu_ms_per_1k: per1k(cpu.postgresMs), load_before: loadBefore, load_after: loadavg()[0] })}\n`,
  );
  await model.close();
  await store.close();
  await admin.query(keep ? `analyze` : `drop schema if exists ${SCHEMA} cascade`);
  await admin.end();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
