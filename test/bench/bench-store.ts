/**
 * `npm run bench:store [-- --events 200000 --writers 8 --batch 100]`
 * Appends ~500-byte events in batches from concurrent writers through the event store (PostgreSQL, then
 * PGlite in a temp dir) and, for comparison, the same rows as plain multi-row INSERTs into an unindexed
 * table. PostgreSQL: CDT_BENCH_POSTGRES_URL (a role that may CREATE DATABASE), else the engines harness
 * env file. Prints one JSON line per store, then a table; progress goes to stderr.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Command } from 'commander';
import { MultiBar, Presets } from 'cli-progress';
import { Client, Pool } from 'pg';
import { NewEvent, PgliteEventStore, openEventStore } from '@cdt/event-store';
import { runRawBaseline, RawTarget } from './bench-raw';

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

const ENGINES_ENV_FILE = join(__dirname, '..', 'engines', '.state', 'env');
const bars = new MultiBar({ format: '{label} |{bar}| {value}/{total} events {eta}s left', stream: process.stderr, hideCursor: true }, Presets.shades_classic);

function postgresUrl(): string | undefined {
  if (process.env['CDT_BENCH_POSTGRES_URL']) return process.env['CDT_BENCH_POSTGRES_URL'];
  if (!existsSync(ENGINES_ENV_FILE)) return undefined;
  const line = readFileSync(ENGINES_ENV_FILE, 'utf8').split('\n').find((l) => /^(CDT_TEST_POSTGRES_URL|POSTGRES_URL|CDT_POSTGRES_ADMIN_URL)=/.test(l));
  return line?.slice(line.indexOf('=') + 1).trim().replace(/^['"]|['"]$/g, '');
}

/** ~500 bytes of JSON per event, shaped like a household visit. */
function makeBatches(options: Options): NewEvent[][] {
  const batches: NewEvent[][] = [];
  for (let done = 0; done < options.events; done += options.batch) {
    batches.push(Array.from({ length: Math.min(options.batch, options.events - done) }, (_, i) => ({
      eventId: randomUUID(),
      type: 'HouseholdVisitRecorded',
      schemaVersion: 1,
      data: {
        activityId: randomUUID(), teamId: `team-${done % 997}`, communeCode: '26734', village: 'Thôn Đông',
        householdRef: `hh_${randomUUID().replaceAll('-', '')}`, memberIds: [randomUUID(), randomUUID()],
        skills: ['dvctt', 'payment', 'safety'], note: `lượt thăm ${done + i}`,
      },
      metadata: { occurredAt: '2025-07-01T09:00:00+07:00', actor: 'bench', correlationId: randomUUID() },
    })));
  }
  return batches;
}

/** Runs `writers` loops that take batches off one queue; returns per-batch latencies and elapsed ms. */
async function drive(label: string, batches: NewEvent[][], writers: number, write: (batch: NewEvent[], writer: number, index: number) => Promise<void>) {
  const total = batches.reduce((n, b) => n + b.length, 0);
  const bar = bars.create(total, 0, { label: label.padEnd(18) });
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: writers }, async (_, writer) => {
    for (let index = next++; index < batches.length; index = next++) {
      const t0 = process.hrtime.bigint();
      await write(batches[index], writer, index);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      bar.increment(batches[index].length);
    }
  }));
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  bar.stop();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]);
  return { perSecond: Math.round((total * 1000) / elapsedMs), p50: pct(0.5), p99: pct(0.99) };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

async function benchPostgres(url: string, options: Options): Promise<Result> {
  const database = `cdt_bench_${Date.now()}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${database}`;
  try {
    const store = await openEventStore({ kind: 'postgres', url: dbUrl.toString(), adminUrl: dbUrl.toString(), poolSize: options.writers });
    const appended = await drive('postgres store', makeBatches(options), options.writers, async (batch, writer, index) => {
      await store.append(`bench-${writer}-${index % 50}`, batch, 'any');
    });
    await store.close();
    const pool = new Pool({ connectionString: dbUrl.toString(), max: options.writers });
    const raw = await runRawBaseline(postgresTarget(pool), makeBatches(options), (batches, write) => drive('postgres raw', batches, options.writers, write));
    await pool.end();
    return result('postgres', options, appended, raw.perSecond);
  } finally {
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
}

async function benchPglite(options: Options): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cdt-bench-'));
  try {
    const store = await PgliteEventStore.open({ dataDir: join(dataDir, 'store') });
    const appended = await drive('pglite store', makeBatches(options), options.writers, async (batch, writer, index) => {
      await store.append(`bench-${writer}-${index % 50}`, batch, 'any');
    });
    await store.close();
    const rawDb = await PGlite.create(join(dataDir, 'raw'));
    const rawTarget: RawTarget = { query: async (sql, params) => void (await rawDb.query(sql, params)) };
    const raw = await runRawBaseline(rawTarget, makeBatches(options), (batches, write) => drive('pglite raw', batches, options.writers, write));
    await rawDb.close();
    return result('pglite', options, appended, raw.perSecond);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function postgresTarget(pool: Pool): RawTarget {
  return { query: async (sql, params) => void (await pool.query(sql, params)) };
}

function result(store: string, options: Options, appended: { perSecond: number; p50: number; p99: number }, rawPerSecond: number): Result {
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
  const url = postgresUrl();
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
