/**
 * `npm run bench:audit [-- --events 1000000 --streams 2000 --seal-every 10000 --page-size 5000 --workers 0,1,2]`
 * Writes `events` ~450-byte events with valid per-stream hash chains straight into a scratch PostgreSQL
 * database (as its owner, in bulk: generating through cdt_append would take longer than what is
 * measured), seals them, then in the same run reads the whole log:
 *   - baseline: readAll pages through the event-store port (rows parsed into events), raw, with the same
 *     read-ahead, no hashing: how any reader reads the events;
 *   - scan:     the pages verify itself reads (binary COPY, no parse), no hashing: the floor of verify;
 *   - verify:   verifyLedger (JCS from the stored bytes + 3 sha-256 per event on `--workers` threads,
 *     Merkle roots, seal index, stream heads), once per worker count given;
 *   - replay:   `cdt audit replay --to <dir>` (exportLog): the whole log as NDJSON files with its seals
 *     and a manifest, into a temporary directory (`--no-replay` skips it);
 *   - check:    `cdt audit check-replay` (checkReplayExport) over that directory, offline: every chain,
 *     the order, and every seal's Merkle root, from the files alone.
 * Prints one JSON line per verify run and per replay phase, and a table. PostgreSQL: CDT_BENCH_POSTGRES_URL, else the engines harness env file.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MultiBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import { Client } from 'pg';
import { type Checkpoint, compareCheckpoints, computeChainHash, contentDigest, GENESIS_HASH, microsToIso, type NewEvent, openEventStore, type ReadAllResult, START, type EventStore } from '@cdt/event-store';
import { checkReplayExport, exportLog } from '@cdt/audit-feature';
import { defaultHashWorkers, LedgerSealer, scanPage, type ScanPage, verifyLedger } from '@cdt/ledger-integrity';
import { benchPostgresUrl, scratchDatabase } from './store-append';

interface Options {
  events: number;
  streams: number;
  sealEvery: number;
  pageSize: number;
  /** One verify run per entry, over the same generated log. */
  workers: number[];
  replay: boolean;
}

const bars = new MultiBar({ format: '{label} |{bar}| {value}/{total} events {eta}s left', stream: process.stderr, hideCursor: true }, Presets.shades_classic);
const INSERT_BATCH = 5000;
const BASE_MICROS = 1_751_335_200_000_000n; // 2025-07-01T02:00:00Z

function benchEvent(i: number, streamIndex: number): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'HouseholdVisitRecorded',
    schemaVersion: 1,
    data: {
      activityId: randomUUID(), teamId: `team-${streamIndex}`, communeCode: '26734', village: 'Thôn Đông',
      householdRef: `hh_${randomUUID().replaceAll('-', '')}`, memberIds: [randomUUID(), randomUUID()],
      skills: ['dvctt', 'payment', 'safety'], note: `lượt thăm ${i}`,
    },
    metadata: { occurredAt: '2025-07-01T09:00:00+07:00', actor: 'bench', correlationId: randomUUID() },
  };
}

/** Valid chains, written in bulk by the owner: what cdt_append would have stored, much faster. Returns the last position. */
async function generate(url: string, options: Options): Promise<Checkpoint> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const bar = bars.create(options.events, 0, { label: 'generate'.padEnd(10) });
  const heads = new Map<string, { version: number; hash: Buffer }>();
  try {
    for (let done = 0; done < options.events; done += INSERT_BATCH) {
      const columns: string[][] = [[], [], [], [], [], [], [], []];
      const versions: number[] = [];
      for (let i = done; i < Math.min(options.events, done + INSERT_BATCH); i++) {
        const streamIndex = i % options.streams;
        const stream = `activity-team${streamIndex}-2025-07`;
        const event = benchEvent(i, streamIndex);
        const head = heads.get(stream) ?? { version: 0, hash: GENESIS_HASH };
        const micros = BASE_MICROS + BigInt(i);
        const hash = computeChainHash(head.hash, contentDigest(event), stream, head.version + 1, micros);
        heads.set(stream, { version: head.version + 1, hash });
        versions.push(head.version + 1);
        [stream, event.eventId, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata), microsToIso(micros), hash.toString('hex')]
          .forEach((value, c) => columns[c].push(value));
      }
      await client.query(
        `insert into event_store.events (stream_name, stream_version, event_id, event_type, schema_version, data, metadata, recorded_at, hash)
         select s, v, id, t, 1, d::jsonb, m::jsonb, r::timestamptz, decode(h, 'hex')
           from unnest($1::text[], $2::int[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) as x(s, v, id, t, d, m, r, h)`,
        [columns[0], versions, columns[1], columns[2], columns[3], columns[4], columns[5], columns[6]],
      );
      bar.increment(versions.length);
    }
    await client.query(
      `insert into event_store.streams (stream_name, version, last_hash) select s, v, decode(h, 'hex') from unnest($1::text[], $2::int[], $3::text[]) as x(s, v, h)`,
      [[...heads.keys()], [...heads.values()].map((h) => h.version), [...heads.values()].map((h) => h.hash.toString('hex'))],
    );
    await client.query('analyze event_store.events');
    return await lastPosition(client);
  } finally {
    bar.stop();
    await client.end();
  }
}

async function lastPosition(client: Client): Promise<Checkpoint> {
  const { rows } = await client.query<{ tx: string; gp: string }>('select transaction_id::text as tx, global_position::text as gp from event_store.events order by transaction_id desc, global_position desc limit 1');
  return { transactionId: rows[0].tx, globalPosition: rows[0].gp };
}

/**
 * Gap-safe readers see nothing while any older transaction runs on the server (ADR 0001 §3); on a
 * PostgreSQL shared with other work, wait until the generated log is visible before timing anything.
 */
async function untilVisible(store: EventStore, last: Checkpoint): Promise<void> {
  for (const deadline = Date.now() + 300_000; compareCheckpoints(await store.head(), last) < 0; await new Promise((resolve) => setTimeout(resolve, 100))) {
    if (Date.now() > deadline) throw new Error(`the generated log is not visible after 5 minutes: a transaction on the server holds the snapshot back`);
  }
}

/** The baseline: the pages verify reads, with the same read-ahead, and no hashing. */
async function scanWithoutHashing(store: EventStore, pageSize: number, total: number): Promise<number> {
  const bar = bars.create(total, 0, { label: 'scan'.padEnd(10) });
  let count = 0;
  let next: Promise<ScanPage> | undefined = scanPage(store, START, pageSize);
  while (next) {
    const page: ScanPage = await next;
    next = page.atHead || page.events.length === 0 ? undefined : scanPage(store, page.checkpoint, pageSize);
    count += page.events.length;
    bar.update(count);
  }
  bar.stop();
  return count;
}

/** For reference: readAll pages through the port, rows parsed into events, no hashing. */
async function readWithoutHashing(store: EventStore, pageSize: number, total: number): Promise<number> {
  const bar = bars.create(total, 0, { label: 'port read'.padEnd(10) });
  let count = 0;
  let next: Promise<ReadAllResult> | undefined = store.readAll({ after: START, limit: pageSize, raw: true });
  while (next) {
    const page: ReadAllResult = await next;
    next = page.atHead || page.events.length === 0 ? undefined : store.readAll({ after: page.checkpoint, limit: pageSize, raw: true });
    count += page.events.length;
    bar.update(count);
  }
  bar.stop();
  return count;
}

/**
 * `cdt audit replay --to <dir>` over the whole log, then `cdt audit check-replay` on what it wrote, in
 * a temporary directory removed afterwards. Both must account for every event, and the check must pass.
 */
async function replayAndCheck(store: EventStore, pageSize: number, total: number): Promise<{ name: string; events: number; eventsPerSecond: number; seconds: number; cpuSeconds: number; mib: number }[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cdt-bench-replay-'));
  try {
    const bar = bars.create(total, 0, { label: 'replay'.padEnd(10) });
    const exported = await timed(() => exportLog(store, dir, { pageSize, onProgress: (progress) => bar.update(progress.events) }));
    bar.stop();
    const { manifest } = exported.value;
    if (manifest.events + manifest.seals !== total && manifest.events !== total) throw new Error(`the replay exported ${manifest.events} events and ${manifest.seals} seals of ${total}`);
    const checked = await timed(() => checkReplayExport(dir));
    if (!checked.value.ok) throw new Error(`check-replay found problems in a clean export: ${JSON.stringify(checked.value.firstBad)}`);
    const mib = Math.round(manifest.files.reduce((sum, file) => sum + file.bytes, 0) / 2 ** 20);
    return [
      { name: 'replay', events: manifest.events, eventsPerSecond: Math.round(manifest.events / exported.seconds), seconds: exported.seconds, cpuSeconds: exported.cpuSeconds, mib },
      { name: 'check-replay', events: checked.value.events, eventsPerSecond: Math.round(checked.value.events / checked.seconds), seconds: checked.seconds, cpuSeconds: checked.cpuSeconds, mib },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Wall time, and this process's CPU time (which the machine's other load inflates far less). */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; cpuSeconds: number }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

function workerCounts(value: string): number[] {
  const counts = value.split(',').map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 0 || n > 16)) throw new Error(`--workers takes whole numbers from 0 to 16, e.g. 1 or 0,1,2 (got ${value})`);
  return counts;
}

async function main(): Promise<void> {
  const options = new Command()
    .option('--events <n>', 'events to generate and verify', (v) => Number(v), 1_000_000)
    .option('--streams <n>', 'streams the events spread over', (v) => Number(v), 2000)
    .option('--seal-every <n>', 'events per seal', (v) => Number(v), 10_000)
    .option('--page-size <n>', 'events per read', (v) => Number(v), 5000)
    .option('--workers <list>', 'hashing worker threads of verify, e.g. 1 or 0,1,2 (one verify run each; 0: on the main thread)', workerCounts, [defaultHashWorkers()])
    .option('--no-replay', 'skip the NDJSON replay export and its offline check')
    .parse()
    .opts<Options>();
  const serverUrl = benchPostgresUrl();
  if (!serverUrl) throw new Error('no PostgreSQL: set CDT_BENCH_POSTGRES_URL or run test/engines/up.sh postgres');
  const database = await scratchDatabase(serverUrl, 'cdt_bench_audit');
  try {
    const store = await openEventStore({ kind: 'postgres', url: database.url, adminUrl: database.url, poolSize: 3 });
    try {
      const generated = await timed(() => generate(database.url, options));
      await untilVisible(store, generated.value);
      const sealBar = bars.create(options.events, 0, { label: 'seal'.padEnd(10) });
      const sealed = await timed(() => new LedgerSealer(store, { everyEvents: options.sealEvery, everyMs: 0 }).sealPending(true));
      sealBar.update(options.events);
      sealBar.stop();
      const owner = new Client({ connectionString: database.url });
      await owner.connect();
      await untilVisible(store, await lastPosition(owner).finally(() => owner.end()));
      const total = options.events + sealed.value.length;

      const scanned = await timed(() => scanWithoutHashing(store, options.pageSize, total));
      const baseline = await timed(() => readWithoutHashing(store, options.pageSize, total));
      const table = [];
      for (const workers of options.workers) {
        const verifyBar = bars.create(total, 0, { label: `verify/${workers}`.padEnd(10) });
        const verified = await timed(() => verifyLedger(store, { pageSize: options.pageSize, workers, onProgress: (n) => verifyBar.update(n) }));
        verifyBar.stop();
        if (!verified.value.ok) throw new Error(`verify found problems in a clean ledger: ${JSON.stringify(verified.value.firstBad)}`);
        if (verified.value.eventsChecked !== total || scanned.value !== total || baseline.value !== total) {
          throw new Error(`scanned ${scanned.value}, read ${baseline.value} and verified ${verified.value.eventsChecked} of ${total} events`);
        }
        const eventsPerSecond = Math.round(total / verified.seconds);
        const baselinePerSecond = Math.round(total / baseline.seconds);
        const scanPerSecond = Math.round(total / scanned.seconds);
        const result = {
          bench: 'audit-verify',
          events: total,
          streams: verified.value.streamsChecked,
          seals: verified.value.sealsChecked,
          workers,
          page_size: options.pageSize,
          events_per_s: eventsPerSecond,
          baseline_read_events_per_s: baselinePerSecond,
          ratio: Math.round((eventsPerSecond / baselinePerSecond) * 100) / 100,
          scan_events_per_s: scanPerSecond,
          ratio_vs_scan: Math.round((eventsPerSecond / scanPerSecond) * 100) / 100,
          verify_s: Math.round(verified.seconds * 10) / 10,
          baseline_s: Math.round(baseline.seconds * 10) / 10,
          verify_node_cpu_us_per_event: Math.round((verified.cpuSeconds / total) * 1e7) / 10,
          baseline_node_cpu_us_per_event: Math.round((baseline.cpuSeconds / total) * 1e7) / 10,
          scan_node_cpu_us_per_event: Math.round((scanned.cpuSeconds / total) * 1e7) / 10,
          seal_events_per_s: Math.round(options.events / sealed.seconds),
          generate_s: Math.round(generated.seconds),
          rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
          load_avg_1m: Math.round(loadavg()[0] * 10) / 10,
          cpus: cpus().length,
        };
        process.stdout.write(`${JSON.stringify(result)}\n`);
        table.push({ run: `verify, ${workers} workers`, events: total, per_s: eventsPerSecond, read_per_s: baselinePerSecond, ratio: result.ratio, scan_per_s: scanPerSecond, ratio_vs_scan: result.ratio_vs_scan, load: result.load_avg_1m });
      }
      if (options.replay) {
        const replayed = await replayAndCheck(store, options.pageSize, total);
        for (const phase of replayed) {
          const ratio = Math.round((phase.eventsPerSecond / Math.round(total / baseline.seconds)) * 100) / 100;
          const result = {
            bench: `audit-${phase.name}`,
            events: phase.events,
            events_per_s: phase.eventsPerSecond,
            baseline_read_events_per_s: Math.round(total / baseline.seconds),
            ratio,
            seconds: Math.round(phase.seconds * 10) / 10,
            node_cpu_us_per_event: Math.round((phase.cpuSeconds / total) * 1e7) / 10,
            ndjson_mib: phase.mib,
            load_avg_1m: Math.round(loadavg()[0] * 10) / 10,
          };
          process.stdout.write(`${JSON.stringify(result)}\n`);
          table.push({ run: phase.name, events: phase.events, per_s: phase.eventsPerSecond, read_per_s: result.baseline_read_events_per_s, ratio, scan_per_s: '', ratio_vs_scan: '', load: result.load_avg_1m });
        }
      }
      bars.stop();
      console.table(table);
    } finally {
      await store.close();
    }
  } finally {
    await database.drop();
  }
}

main().catch((error: unknown) => {
  bars.stop();
  console.error(error);
  process.exit(1);
});
