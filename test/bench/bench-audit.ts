/**
 * `npm run bench:audit [-- --events 1000000 --streams 2000 --seal-every 10000 --page-size 5000]`
 * Writes `events` ~450-byte events with valid per-stream hash chains straight into a scratch PostgreSQL
 * database (as its owner, in bulk: generating through cdt_append would take longer than what is
 * measured), seals them, then in the same run reads the whole log twice through the same port:
 *   - baseline: readAll pages, raw, with the same read-ahead, no hashing;
 *   - verify:   verifyLedger (JCS + 3 sha-256 per event, Merkle roots, seal index, stream heads).
 * Prints one JSON line and a table. PostgreSQL: CDT_BENCH_POSTGRES_URL, else the engines harness env file.
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { MultiBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import { Client } from 'pg';
import { computeChainHash, contentDigest, GENESIS_HASH, microsToIso, type NewEvent, openEventStore, type ReadAllResult, START, type EventStore } from '@cdt/event-store';
import { LedgerSealer, verifyLedger } from '@cdt/ledger-integrity';
import { benchPostgresUrl, scratchDatabase } from './store-append';

interface Options {
  events: number;
  streams: number;
  sealEvery: number;
  pageSize: number;
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

/** Valid chains, written in bulk by the owner: what cdt_append would have stored, much faster. */
async function generate(url: string, options: Options): Promise<void> {
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
  } finally {
    bar.stop();
    await client.end();
  }
}

/** The baseline: the same pages through the same port, with the same read-ahead, and no hashing. */
async function readWithoutHashing(store: EventStore, pageSize: number, total: number): Promise<number> {
  const bar = bars.create(total, 0, { label: 'read'.padEnd(10) });
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

/** Wall time, and this process's CPU time (which the machine's other load inflates far less). */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; cpuSeconds: number }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function main(): Promise<void> {
  const options = new Command()
    .option('--events <n>', 'events to generate and verify', (v) => Number(v), 1_000_000)
    .option('--streams <n>', 'streams the events spread over', (v) => Number(v), 2000)
    .option('--seal-every <n>', 'events per seal', (v) => Number(v), 10_000)
    .option('--page-size <n>', 'events per read', (v) => Number(v), 5000)
    .parse()
    .opts<Options>();
  const serverUrl = benchPostgresUrl();
  if (!serverUrl) throw new Error('no PostgreSQL: set CDT_BENCH_POSTGRES_URL or run test/engines/up.sh postgres');
  const database = await scratchDatabase(serverUrl, 'cdt_bench_audit');
  try {
    const store = await openEventStore({ kind: 'postgres', url: database.url, adminUrl: database.url, poolSize: 3 });
    try {
      const generated = await timed(() => generate(database.url, options));
      const sealBar = bars.create(options.events, 0, { label: 'seal'.padEnd(10) });
      const sealed = await timed(() => new LedgerSealer(store, { everyEvents: options.sealEvery, everyMs: 0 }).sealPending(true));
      sealBar.update(options.events);
      sealBar.stop();
      const total = options.events + sealed.value.length;

      const baseline = await timed(() => readWithoutHashing(store, options.pageSize, total));
      const verifyBar = bars.create(total, 0, { label: 'verify'.padEnd(10) });
      const verified = await timed(() => verifyLedger(store, { pageSize: options.pageSize, onProgress: (n) => verifyBar.update(n) }));
      verifyBar.stop();
      bars.stop();
      if (!verified.value.ok) throw new Error(`verify found problems in a clean ledger: ${JSON.stringify(verified.value.firstBad)}`);
      if (verified.value.eventsChecked !== total || baseline.value !== total) throw new Error(`read ${baseline.value} and verified ${verified.value.eventsChecked} of ${total} events`);

      const eventsPerSecond = Math.round(total / verified.seconds);
      const baselinePerSecond = Math.round(total / baseline.seconds);
      const result = {
        bench: 'audit-verify',
        events: total,
        streams: verified.value.streamsChecked,
        seals: verified.value.sealsChecked,
        events_per_s: eventsPerSecond,
        baseline_read_events_per_s: baselinePerSecond,
        ratio: Math.round((eventsPerSecond / baselinePerSecond) * 100) / 100,
        verify_s: Math.round(verified.seconds * 10) / 10,
        baseline_s: Math.round(baseline.seconds * 10) / 10,
        verify_node_cpu_us_per_event: Math.round((verified.cpuSeconds / total) * 1e7) / 10,
        baseline_node_cpu_us_per_event: Math.round((baseline.cpuSeconds / total) * 1e7) / 10,
        seal_events_per_s: Math.round(options.events / sealed.seconds),
        generate_s: Math.round(generated.seconds),
        rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
        load_avg_1m: Math.round(loadavg()[0] * 10) / 10,
        cpus: cpus().length,
      };
      process.stdout.write(`${JSON.stringify(result)}\n`);
      console.table([{ store: 'postgres', events: result.events, verify_per_s: result.events_per_s, read_per_s: result.baseline_read_events_per_s, ratio: result.ratio, seal_per_s: result.seal_events_per_s, rss_mb: result.rss_mb }]);
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
