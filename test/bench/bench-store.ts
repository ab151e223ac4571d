/**
 * `npm run bench:store [-- --events 200000 --writers 8 --batch 100]`
 * Appends ~500-byte events in batches from concurrent writers through the event store (PostgreSQL, then
 * PGlite in a temp dir) and, for comparison, the same rows as plain multi-row INSERTs into an unindexed
 * table. PostgreSQL: CDT_BENCH_POSTGRES_URL (a role that may CREATE DATABASE), else the engines harness
 * env file. Prints one JSON line per store, then a table; progress goes to stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Command } from 'commander';
import { MultiBar, Presets } from 'cli-progress';
import { Pool } from 'pg';
import { PgliteEventStore } from '@cdt/event-store';
import { runRawBaseline, RawTarget } from './bench-raw';
import { benchPostgresUrl, drive, makeEventBatches, postgresStoreAppend, scratchDatabase, type DriveResult } from './store-append';

interface Options {
  events: number;
  writers: number;
  batch: number;
  pglite: boolean;
}

interface Result {
  store: string;
  events: number;
  events_per_s: number;
  raw_rows_per_s: number;
  ratio: number;
  p50_batch_ms: number;
  p99_batch_ms: number;
  rss_mb: number;
}

const bars = new MultiBar({ format: '{label} |{bar}| {value}/{total} events {eta}s left', stream: process.stderr, hideCursor: true }, Presets.shades_classic);

async function benchPostgres(url: string, options: Options): Promise<Result> {
  const database = await scratchDatabase(url, 'cdt_bench');
  try {
    const appended = await postgresStoreAppend(bars, database.url, options);
    const pool = new Pool({ connectionString: database.url, max: options.writers });
    const raw = await runRawBaseline(postgresTarget(pool), makeEventBatches(options), (batches, write) => drive(bars, 'postgres raw', batches, options.writers, write));
    await pool.end();
    return result('postgres', options, appended, raw.perSecond);
  } finally {
    await database.drop();
  }
}

async function benchPglite(options: Options): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cdt-bench-'));
  try {
    const store = await PgliteEventStore.open({ dataDir: join(dataDir, 'store') });
    const appended = await drive(bars, 'pglite store', makeEventBatches(options), options.writers, async (batch, writer, index) => {
      await store.append(`bench-${writer}-${index % 50}`, batch, 'any');
    });
    await store.close();
    const rawDb = await PGlite.create(join(dataDir, 'raw'));
    const rawTarget: RawTarget = { query: async (sql, params) => void (await rawDb.query(sql, params)) };
    const raw = await runRawBaseline(rawTarget, makeEventBatches(options), (batches, write) => drive(bars, 'pglite raw', batches, options.writers, write));
    await rawDb.close();
    return result('pglite', options, appended, raw.perSecond);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function postgresTarget(pool: Pool): RawTarget {
  return { query: async (sql, params) => void (await pool.query(sql, params)) };
}

function result(store: string, options: Options, appended: DriveResult, rawPerSecond: number): Result {
  return {
    store,
    events: options.events,
    events_per_s: appended.perSecond,
    raw_rows_per_s: rawPerSecond,
    ratio: Math.round((appended.perSecond / rawPerSecond) * 100) / 100,
    p50_batch_ms: appended.p50,
    p99_batch_ms: appended.p99,
    rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
}

async function main(): Promise<void> {
  const options = new Command()
    .option('--events <n>', 'events per store', (v) => Number(v), 200_000)
    .option('--writers <n>', 'concurrent writers', (v) => Number(v), 8)
    .option('--batch <n>', 'events per append', (v) => Number(v), 100)
    .option('--no-pglite', 'skip the embedded store')
    .parse()
    .opts<Options>();
  const results: Result[] = [];
  const url = benchPostgresUrl();
  if (url) results.push(await benchPostgres(url, options));
  else process.stderr.write('PostgreSQL skipped: set CDT_BENCH_POSTGRES_URL or run test/engines/up.sh\n');
  if (options.pglite) results.push(await benchPglite(options));
  bars.stop();
  for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
  console.table(results.map(({ store, events_per_s, raw_rows_per_s, ratio, p50_batch_ms, p99_batch_ms, rss_mb }) => ({ store, events_per_s, raw_rows_per_s, ratio, p50_batch_ms, p99_batch_ms, rss_mb })));
}

main().catch((error: unknown) => {
  bars.stop();
  console.error(error);
  process.exit(1);
});
