/**
 * Measurement aid (not a benchmark, nothing asserted): the projection service's own catch-up alone
 * (`runnerCatchUp`, as `bench:projection --passes runner` runs it) over a kept bench log, with the CPU of
 * this process and of the database's backends per 1,000 events, the peak RSS and the load average.
 *   node --max-semi-space-size=64 -r ./scripts/register.js test/bench/projection/runner-catch-up.ts <database-url> [model=2] [batch size, default: the runner's]
 */
import { loadavg } from 'node:os';
import { Client } from 'pg';
import { openEventStore } from '@cdt/event-store';
import { parseKpiModel } from '@cdt/projection-feature';
import { CpuMeter } from '../ingest/cpu-meter';
import { runnerCatchUp } from './runner-pass';

async function main(): Promise<void> {
  const url = process.argv[2];
  const model = parseKpiModel(process.argv[3] ?? '2', 'model');
  const batchSize = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
  const admin = new Client({ connectionString: url });
  await admin.connect();
  const total = Number((await admin.query('select count(*)::int as n from event_store.events')).rows[0].n);
  await admin.end();
  const eventStore = await openEventStore({ kind: 'postgres', url, adminUrl: url, poolSize: 2 });
  const loadBefore = loadavg()[0];
  const meter = new CpuMeter(process.pid, url);
  await meter.begin();
  const pass = await runnerCatchUp(url, eventStore, model, total, () => meter.end(), batchSize);
  const cpu = pass.caughtUp;
  const per1k = (ms: number) => Math.round((ms * 1000) / total);
  process.stdout.write(
    `${JSON.stringify({
      model, batch_size: batchSize ?? 'default', events: pass.events, events_per_s: pass.perSecond, seconds: pass.seconds,
      node_cpu_ms_per_1k: per1k(cpu.serviceMs), postgres_cpu_ms_per_1k: per1k(cpu.postgresMs), peak_rss_mib: pass.peakRssMib,
      load_before: loadBefore, load_after: loadavg()[0],
    })}\n`,
  );
  await eventStore.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
