/**
 * `npm run bench:projection [-- --events 1000000 --batch 10000 --clients 50]`
 * KPI projection on PostgreSQL, in one run over one generated log:
 *   0. setup (not measured): `--events` realistic events (teams, members, targets, field work of
 *      `--teams` teams in `--provinces`, ~1% retracted, a cohort relocating at the 2025 reform)
 *      appended through the event store into a scratch database;
 *   1. baseline: the whole log read back with readAll pages (whole events), nothing projected; then again
 *      with readAllNarrow pages (only what a projection reads, which every projection pass reads);
 *   2. catch-up: the same pages projected into the read model `kpi_v1` from the start (projectIntoStore:
 *      pure projector, then deltas + applied ids + checkpoint in one transaction per page);
 *   3. rebuild: a second projection into a fresh model version `kpi_v2` alongside `kpi_v1` (there is
 *      no separate rebuild mechanism in @cdt/read-store: a rebuild is a catch-up into a new schema);
 *   4. query latency: `--clients` concurrent callers of KpiQueries.rankChildren for a province-month
 *      drill-down (province → its communes, households reached) for `--query-seconds`, computed each
 *      time, then again with a KpiAnswerCache (answers kept until the model's checkpoint moves).
 * `--mongo [url]` adds a catch-up of the same log into the MongoDB read store (MongoKpiReadStore).
 * `--passes` picks what runs after the baseline: `catch-up` (steps 2–4, model 1), `model2` (a catch-up
 * into KPI model 2, ADR 0010: SqlKpiModel2Store in `kpi2_v1` through Model2Pipeline, a page's write
 * overlapping the next page's projection, same pages), `model2-serial` (the same, one page at a time) and
 * `runner` (the projection service's own catch-up: a ProjectionRunner into a fresh versioned model-2 read
 * model, its default batch size, last, since it drops the `kpi_meta`/`kpi_v*` schemas before and after).
 * PostgreSQL: CDT_BENCH_POSTGRES_URL (a role that may CREATE DATABASE), else test/engines/.state/env
 * (`bash test/engines/up.sh postgres`). `--keep` leaves the scratch database (and prints its URL);
 * `--database <url>` reuses one so the projection can be measured again without regenerating.
 * Prints one JSON line per measurement, then a table; progress on stderr.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mongoose';
import { Command } from 'commander';
import { progressBars, runBench, whole } from './bench-cli';
import { Client, Pool } from 'pg';
import { loadAdminUnits } from '@cdt/admin-units';
import { openEventStore } from '@cdt/event-store';
import { KpiAnswerCache, KpiQueries, openKpiReadStore, pgDatabase, SqlKpiModel2Store, SqlKpiReadStore } from '@cdt/read-store';
import { CpuMeter, type CpuSplit } from './ingest/cpu-meter';
import { catchUp, catchUpModel2, readOnly, type PassResult } from './projection/catch-up';
import { runnerCatchUp, type RunnerPassResult } from './projection/runner-pass';
import { appendLog } from './projection/generate';
import { drillDownLoad, queryLoad, type DrillDown, type QueryLoadResult } from './projection/query-load';
import { adminUnitResolver } from './projection/resolver';
import { projectionLog } from './projection/workload';
import { benchPostgresUrl, scratchDatabase } from './store-append';

interface Options {
  events: number;
  teams: number;
  provinces: string;
  perTeamPerDay: number;
  batch: number;
  writers: number;
  clients: number;
  querySeconds: number;
  seed: number;
  rebuild: boolean;
  keep: boolean;
  generateOnly: boolean;
  database?: string;
  mongo?: string | boolean;
  mongoBatch: number;
  passes: string;
}

const PASSES = ['catch-up', 'model2', 'model2-serial', 'runner'];

const CATCH_UP_TARGET = 50_000;
const QUERY_P99_TARGET_MS = 10;
/** The model-2 query measurement: the communes of one province in one month of the bench log, and one year nation-wide. */
const MODEL2_DRILL = { province: '82', period: '2025-08', year: '2025' };

const bars = progressBars();

/** How often the moving-checkpoint query pass lands a batch, and the staleness its second half accepts. */
const MOVE_EVERY_MS = 1_000;
const MAX_STALE_MS = 5_000;

/** Moves a model-2 store's checkpoint every `everyMs` with an empty batch until stopped; `stop` gives the moves made. */
async function movingCheckpoint(store: SqlKpiModel2Store, everyMs: number): Promise<{ stop(): Promise<number> }> {
  const empty = { factsInserted: [], factIdsDeleted: [], stockFacts: [], cells: [], targets: [], teams: [], appliedEventIds: [] };
  let moves = 0;
  let landing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    landing = landing.then(async () => {
      const at = await store.checkpoint();
      if (!at) throw new Error('the model-2 store has no checkpoint to move');
      if (await store.applyBatch(empty, { transactionId: at.transactionId, globalPosition: String(BigInt(at.globalPosition) + 1n) })) moves += 1;
    });
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await landing;
      return moves;
    },
  };
}

async function sql(url: string, text: string): Promise<{ rows: Record<string, unknown>[] }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

async function bench(options: Options): Promise<boolean> {
  const passes = new Set(options.passes.split(',').map((p) => p.trim()));
  const unknown = [...passes].filter((p) => !PASSES.includes(p));
  if (unknown.length > 0) throw new Error(`--passes: unknown ${unknown.join(', ')} (known: ${PASSES.join(', ')})`);
  const serverUrl = benchPostgresUrl();
  if (!serverUrl && !options.database) throw new Error('no PostgreSQL: set CDT_BENCH_POSTGRES_URL or run bash test/engines/up.sh postgres');
  const scratch = options.database ? undefined : await scratchDatabase(serverUrl as string, 'cdt_bench_projection');
  const url = options.database ?? (scratch as { url: string }).url;
  const units = loadAdminUnits();
  const resolve = adminUnitResolver(units);
  const provinces = options.provinces.split(',').map((p) => p.trim());
  const store = await openEventStore({ kind: 'postgres', url, adminUrl: url, poolSize: options.writers });
  try {
    if (scratch) {
      process.stderr.write(`generating ~${options.events} events for ${options.teams} teams in provinces ${provinces.join(', ')} into ${new URL(url).pathname.slice(1)}…\n`);
      const log = projectionLog(units, { events: options.events, provinces, teams: options.teams, perTeamPerDay: options.perTeamPerDay, retractShare: 0.01, relocateShare: 0.02, seed: options.seed });
      await appendLog(bars, store, log, options.events, options.writers);
      await sql(url, 'vacuum analyze event_store.events');
      if (options.generateOnly) {
        process.stderr.write(`generated; measure it with --database ${url}\n`);
        return true;
      }
    }
    for (const schema of ['kpi_v1', 'kpi_v2', 'kpi2_v1']) await sql(url, `drop schema if exists ${schema} cascade`);
    const total = Number((await sql(url, 'select count(*)::int as n from event_store.events')).rows[0]['n']);

    const metered = async <T>(pass: () => Promise<T>): Promise<T & { cpu: CpuSplit }> => {
      const meter = new CpuMeter(process.pid, url);
      await meter.begin();
      const result = await pass();
      return { ...result, cpu: await meter.end() };
    };
    const baseline = await metered(() => readOnly(bars, store, total, options.batch));
    const narrowBaseline = await metered(() => readOnly(bars, store, total, options.batch, true));
    let model2Serial: (PassResult & { cpu: CpuSplit }) | undefined;
    if (passes.has('model2-serial')) {
      const m2 = await SqlKpiModel2Store.open(pgDatabase(new Pool({ connectionString: url, max: 2 })), 'kpi2_v1');
      model2Serial = await metered(() => catchUpModel2(bars, 'kpi2_v1 serial', store, m2, resolve, total, options.batch, false));
      await m2.close();
      if (passes.has('model2')) await sql(url, 'drop schema kpi2_v1 cascade');
    }
    let model2: (PassResult & { cpu: CpuSplit }) | undefined;
    if (passes.has('model2')) {
      const m2 = await SqlKpiModel2Store.open(pgDatabase(new Pool({ connectionString: url, max: 2 })), 'kpi2_v1');
      model2 = await metered(() => catchUpModel2(bars, 'kpi2_v1 pipelined', store, m2, resolve, total, options.batch, true));
      await m2.close();
    }
    const model2Last = model2 ?? model2Serial;
    let catchUpResult: (PassResult & { cpu: CpuSplit }) | undefined;
    if (passes.has('catch-up')) {
      const v1 = await SqlKpiReadStore.open(pgDatabase(new Pool({ connectionString: url, max: 2 })), 'kpi_v1');
      catchUpResult = await metered(() => catchUp(bars, 'catch-up kpi_v1', store, v1, resolve, total, options.batch));
      await v1.close();
    }
    let rebuild: (PassResult & { cpu: CpuSplit }) | undefined;
    if (catchUpResult && options.rebuild) {
      const v2 = await SqlKpiReadStore.open(pgDatabase(new Pool({ connectionString: url, max: 2 })), 'kpi_v2');
      rebuild = await metered(() => catchUp(bars, 'rebuild kpi_v2', store, v2, resolve, total, options.batch));
      await v2.close();
    }
    let mongo: PassResult | undefined;
    const mongoUrl = options.mongo === true ? benchMongoUrl() : options.mongo || undefined;
    if (options.mongo && !mongoUrl) throw new Error('--mongo: set CDT_BENCH_MONGO_URL, pass a URL, or run bash test/engines/up.sh mongo');
    if (mongoUrl) {
      const dbUrl = new URL(mongoUrl);
      dbUrl.pathname = `/cdt_bench_projection_${Date.now()}`;
      const mongoStore = await openKpiReadStore({ kind: 'mongo', url: dbUrl.toString() });
      try {
        mongo = await catchUp(bars, 'catch-up mongo', store, mongoStore, resolve, total, options.mongoBatch);
      } finally {
        await dropMongoDatabase(dbUrl.toString());
        await mongoStore.close();
      }
    }
    const cpuPer1k = (r: { events: number; cpu: CpuSplit }) => ({ node_cpu_ms_per_1k: Math.round((r.cpu.serviceMs * 1000) / r.events), postgres_cpu_ms_per_1k: Math.round((r.cpu.postgresMs * 1000) / r.events) });
    const load = () => Math.round(loadavg()[0] * 10) / 10;
    await sql(url, 'analyze');
    const sizes = (await sql(url, `select pg_size_pretty(pg_database_size(current_database())) as database_size
      ${catchUpResult ? ', (select count(*) from kpi_v1.figures)::int as figures, (select count(*) from kpi_v1.subject_refs)::int as refs' : ''}
      ${model2Last ? `, (select count(*) from kpi2_v1.facts)::int as facts, (select count(*) from kpi2_v1.stock_facts)::int as stock_facts,
                 (select count(*) from kpi2_v1.cells)::int as cells,
                 pg_size_pretty((select sum(pg_total_relation_size(c.oid)) from pg_class c join pg_namespace n on n.oid = c.relnamespace
                                  where n.nspname = 'kpi2_v1' and c.relkind = 'r')::bigint) as model2_size` : ''}`)).rows[0];

    let drill: { view: 'current'; unit: { level: 'province'; unitKey: string }; childLevel: 'commune'; indicator: string; period: string } | undefined;
    let queries: Awaited<ReturnType<typeof drillDownLoad>> | undefined;
    let cached: Awaited<ReturnType<typeof drillDownLoad>> | undefined;
    if (catchUpResult) {
      const reader = await SqlKpiReadStore.open(pgDatabase(new Pool({ connectionString: url, max: options.clients })), 'kpi_v1');
      const month = (await sql(url, `select max(period_key) as m from kpi_v1.figures where period_kind = 'month'`)).rows[0]['m'] as string;
      drill = { view: 'current', unit: { level: 'province', unitKey: provinces[0] }, childLevel: 'commune', indicator: 'households-reached', period: month };
      queries = await drillDownLoad(bars, 'drill-down', new KpiQueries(reader), drill, options.clients, options.querySeconds);
      cached = await drillDownLoad(bars, 'drill-down cached', new KpiQueries(reader, undefined, new KpiAnswerCache()), drill, options.clients, options.querySeconds);
      await reader.close();
    }
    // Model 2 computes distinct counts from facts when asked: an uncached drill-down (children, then their
    // figures) under load, and one nation-year figures query per view, timed alone.
    let model2Drill: QueryLoadResult | undefined;
    let model2Cached: QueryLoadResult | undefined;
    const model2Moving: Partial<Record<'exact' | 'stale', QueryLoadResult>> = {};
    const model2MovingBatches: Partial<Record<'exact' | 'stale', { moves: number; computed: number }>> = {};
    const model2Single: Record<string, number> = {};
    if (model2Last) {
      const m2 = await SqlKpiModel2Store.open(pgDatabase(new Pool({ connectionString: url, max: options.clients })), 'kpi2_v1');
      const { province, period } = MODEL2_DRILL;
      const drillDown = async () => m2.figures('current', 'commune', await m2.children('current', 'province', province, 'commune', period), period);
      const timed = async (name: string, run: () => Promise<unknown>) => {
        const t0 = performance.now();
        await run();
        model2Single[name] = Math.round(performance.now() - t0);
      };
      await drillDown(); // warm the plans and the cache of the tables
      await timed('drill_down_alone_ms', drillDown);
      for (const view of ['as-recorded', 'current'] as const) await timed(`nation_${MODEL2_DRILL.year}_${view}_ms`, () => m2.figures(view, 'nation', ['VN'], MODEL2_DRILL.year));
      model2Drill = await queryLoad(bars, 'kpi2 drill-down', drillDown, options.clients, options.querySeconds);
      // The query layer over model 2 with the answer cache, as model 1's cached pass: one checkpoint read per call while no batch lands.
      const model2Ranked: DrillDown = { view: 'current', unit: { level: 'province', unitKey: province }, childLevel: 'commune', indicator: 'households-reached', period };
      model2Cached = await drillDownLoad(bars, 'kpi2 drill cached', new KpiQueries(m2, undefined, new KpiAnswerCache()), model2Ranked, options.clients, options.querySeconds);
      // While the projection moves, every batch invalidates the cache: the checkpoint is moved every
      // MOVE_EVERY_MS by an empty batch (the invalidation a live projection causes, not its write load).
      // Exact answers (one computation per checkpoint, shared by the clients asking meanwhile), then
      // answers up to MAX_STALE_MS stale (the previous checkpoint's at once, the next computed once).
      for (const [key, maxStaleMs] of [['exact', 0], ['stale', MAX_STALE_MS]] as const) {
        // The store as the queries see it, counting the computed answers: one snapshot each (its figure
        // reads go to the snapshot's own view of the store).
        let computed = 0;
        const counted = new Proxy(m2, {
          get(target, name, receiver) {
            if (name === 'snapshot') computed += 1;
            const value = Reflect.get(target, name, receiver);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
        const moving = await movingCheckpoint(m2, MOVE_EVERY_MS);
        try {
          model2Moving[key] = await drillDownLoad(bars, `kpi2 moving ${key}`, new KpiQueries(counted, undefined, new KpiAnswerCache({ maxStaleMs })), model2Ranked, options.clients, options.querySeconds);
        } finally {
          model2MovingBatches[key] = { moves: await moving.stop(), computed };
        }
      }
      await m2.close();
    }
    // Last: the service's own catch-up replaces kpi_v1/kpi_v2 (model 1's passes are done with them).
    let runner: (RunnerPassResult & { cpu: CpuSplit }) | undefined;
    if (passes.has('runner')) {
      const meter = new CpuMeter(process.pid, url);
      await meter.begin();
      const pass = await runnerCatchUp(url, store, 2, total, () => meter.end());
      runner = { ...pass, cpu: pass.caughtUp };
    }
    bars.stop();

    const ratio = (r: { perSecond: number }) => Math.round((r.perSecond / baseline.perSecond) * 1000) / 1000;
    const ratioNarrow = (r: { perSecond: number }) => Math.round((r.perSecond / narrowBaseline.perSecond) * 1000) / 1000;
    const lines = [
      { bench: 'read-all', events: baseline.events, events_per_s: baseline.perSecond, seconds: baseline.seconds, page: options.batch, ...cpuPer1k(baseline) },
      { bench: 'read-all-narrow', via: 'readAllNarrow (eventId, type, schemaVersion, data, position)', events: narrowBaseline.events, events_per_s: narrowBaseline.perSecond, ratio_to_read_all: ratio(narrowBaseline), seconds: narrowBaseline.seconds, page: options.batch, ...cpuPer1k(narrowBaseline) },
      ...([['catch-up-model2-serial-postgres', model2Serial], ['catch-up-model2-postgres', model2]] as const).flatMap(([bench, r]) => (r ? [{
        bench, model: 'KPI model 2 (ADR 0010), kpi2_v1', mode: r === model2 ? 'pipelined: a page is written while the next is projected' : 'one page at a time',
        events: r.events, events_per_s: r.perSecond, ratio_to_read_all: ratio(r), ratio_to_read_all_narrow: ratioNarrow(r), seconds: r.seconds, page: options.batch, ...cpuPer1k(r), batches: r.batches, read_wait_ms: r.readWaitMs, project_and_write_ms: r.projectMs,
        fact_rows: sizes['facts'], stock_fact_rows: sizes['stock_facts'], cell_rows: sizes['cells'], model_size: sizes['model2_size'], database_size: sizes['database_size'], load_avg: load(),
      }] : [])),
      ...(runner ? [{
        bench: 'catch-up-runner-postgres', via: 'ProjectionRunner as the projection service runs it (narrow subscription reading a page ahead, model 2 pipelined, default batch size)',
        events: runner.events, events_per_s: runner.perSecond, ratio_to_read_all: ratio(runner), ratio_to_read_all_narrow: ratioNarrow(runner), seconds: runner.seconds, ...cpuPer1k(runner),
        peak_rss_mib: runner.peakRssMib, load_avg: load(),
      }] : []),
      ...(catchUpResult ? [{ bench: 'catch-up-postgres', events: catchUpResult.events, events_per_s: catchUpResult.perSecond, ratio_to_read_all: ratio(catchUpResult), ratio_to_read_all_narrow: ratioNarrow(catchUpResult), seconds: catchUpResult.seconds, ...cpuPer1k(catchUpResult), batches: catchUpResult.batches, read_wait_ms: catchUpResult.readWaitMs, project_and_write_ms: catchUpResult.projectMs, figures_rows: sizes['figures'], subject_ref_rows: sizes['refs'], database_size: sizes['database_size'], load_avg: load() }] : []),
      ...(rebuild ? [{ bench: 'rebuild-postgres', mechanism: 'catch-up into a new schema (kpi_v2)', events: rebuild.events, events_per_s: rebuild.perSecond, seconds: rebuild.seconds, ...cpuPer1k(rebuild), read_wait_ms: rebuild.readWaitMs, project_and_write_ms: rebuild.projectMs }] : []),
      ...(mongo ? [{ bench: 'catch-up-mongo', events: mongo.events, events_per_s: mongo.perSecond, ratio_to_read_all: ratio(mongo), seconds: mongo.seconds, read_wait_ms: mongo.readWaitMs, project_and_write_ms: mongo.projectMs, page: options.mongoBatch }] : []),
      ...(model2Drill ? [{
        bench: 'query-drill-down-model2', via: 'SqlKpiModel2Store.children + figures (distinct counts from facts, no cache)', view: 'current', unit: { level: 'province', unitKey: MODEL2_DRILL.province },
        childLevel: 'commune', period: MODEL2_DRILL.period, clients: options.clients, queries: model2Drill.queries, queries_per_s: model2Drill.perSecond, p50_ms: model2Drill.p50, p99_ms: model2Drill.p99,
        children: model2Drill.children, ...model2Single, load_avg: load(),
      }] : []),
      ...(model2Cached ? [{
        bench: 'query-drill-down-model2-cached', via: 'KpiQueries.rankChildren over SqlKpiModel2Store + KpiAnswerCache (one checkpoint read per call while no batch lands)', view: 'current',
        unit: { level: 'province', unitKey: MODEL2_DRILL.province }, childLevel: 'commune', period: MODEL2_DRILL.period, clients: options.clients, queries: model2Cached.queries,
        queries_per_s: model2Cached.perSecond, p50_ms: model2Cached.p50, p99_ms: model2Cached.p99, p999_ms: model2Cached.p999, max_ms: model2Cached.max, children: model2Cached.children, load_avg: load(),
      }] : []),
      ...Object.entries(model2Moving).map(([key, r]) => ({
        bench: `query-drill-down-model2-moving-${key}`, via: `KpiQueries.rankChildren over SqlKpiModel2Store + KpiAnswerCache({ maxStaleMs: ${key === 'stale' ? MAX_STALE_MS : 0} }), the checkpoint moved every ${MOVE_EVERY_MS} ms by an empty batch`,
        view: 'current', unit: { level: 'province', unitKey: MODEL2_DRILL.province }, childLevel: 'commune', period: MODEL2_DRILL.period, clients: options.clients,
        checkpoint_moves: model2MovingBatches[key as 'exact' | 'stale']?.moves, answers_computed: model2MovingBatches[key as 'exact' | 'stale']?.computed, queries: r.queries, queries_per_s: r.perSecond, p50_ms: r.p50, p99_ms: r.p99, p999_ms: r.p999, max_ms: r.max, children: r.children, load_avg: load(),
      })),
      ...(queries && cached ? [
        { bench: 'query-drill-down', via: 'KpiQueries.rankChildren', ...drill, clients: options.clients, queries: queries.queries, queries_per_s: queries.perSecond, p50_ms: queries.p50, p99_ms: queries.p99, children: queries.children },
        { bench: 'query-drill-down-cached', via: 'KpiQueries.rankChildren + KpiAnswerCache (one checkpoint read per call while no batch lands)', ...drill, clients: options.clients, queries: cached.queries, queries_per_s: cached.perSecond, p50_ms: cached.p50, p99_ms: cached.p99, children: cached.children },
      ] : []),
    ];
    for (const line of lines) process.stdout.write(`${JSON.stringify(line)}\n`);
    const caughtUp = (label: string, r: { perSecond: number; seconds: number }) => ({ measurement: label, 'events/s': r.perSecond, seconds: r.seconds, 'p50 ms': '', 'p99 ms': '', target: `≥ ${CATCH_UP_TARGET} events/s`, met: r.perSecond >= CATCH_UP_TARGET });
    console.table([
      { measurement: 'read-all (baseline)', 'events/s': baseline.perSecond, seconds: baseline.seconds, 'p50 ms': '', 'p99 ms': '', target: '', met: '' },
      { measurement: 'read-all narrow', 'events/s': narrowBaseline.perSecond, seconds: narrowBaseline.seconds, 'p50 ms': '', 'p99 ms': '', target: '', met: '' },
      ...(model2Serial ? [caughtUp('catch-up kpi2_v1 (model 2, serial)', model2Serial)] : []),
      ...(model2 ? [caughtUp('catch-up kpi2_v1 (model 2, pipelined)', model2)] : []),
      ...(runner ? [caughtUp('catch-up, the service (ProjectionRunner, model 2)', runner)] : []),
      ...(catchUpResult ? [caughtUp('catch-up kpi_v1', catchUpResult)] : []),
      ...(mongo ? [{ measurement: 'catch-up mongo', 'events/s': mongo.perSecond, seconds: mongo.seconds, 'p50 ms': '', 'p99 ms': '', target: '', met: '' }] : []),
      ...(rebuild ? [{ measurement: 'rebuild kpi_v2', 'events/s': rebuild.perSecond, seconds: rebuild.seconds, 'p50 ms': '', 'p99 ms': '', target: '', met: '' }] : []),
      ...(model2Drill ? [
        { measurement: `kpi2 drill-down ×${options.clients} (${MODEL2_DRILL.province}, ${MODEL2_DRILL.period})`, 'events/s': '', seconds: options.querySeconds, 'p50 ms': model2Drill.p50, 'p99 ms': model2Drill.p99, target: `p99 < ${QUERY_P99_TARGET_MS} ms`, met: model2Drill.p99 < QUERY_P99_TARGET_MS },
        ...(model2Cached ? [{ measurement: `kpi2 drill-down cached ×${options.clients}`, 'events/s': '', seconds: options.querySeconds, 'p50 ms': model2Cached.p50, 'p99 ms': model2Cached.p99, target: `p99 < ${QUERY_P99_TARGET_MS} ms`, met: model2Cached.p99 < QUERY_P99_TARGET_MS }] : []),
        ...Object.entries(model2Moving).map(([key, r]) => ({ measurement: `kpi2 drill-down ×${options.clients}, checkpoint moving, ${key === 'stale' ? `max-stale ${MAX_STALE_MS} ms` : 'exact'}`, 'events/s': '', seconds: options.querySeconds, 'p50 ms': r.p50, 'p99 ms': r.p99, target: `p99 < ${QUERY_P99_TARGET_MS} ms`, met: r.p99 < QUERY_P99_TARGET_MS })),
        ...Object.entries(model2Single).map(([name, ms]) => ({ measurement: `kpi2 ${name.replace(/_ms$/, '').replaceAll('_', ' ')} (one call)`, 'events/s': '', seconds: '', 'p50 ms': ms, 'p99 ms': '', target: '', met: '' })),
      ] : []),
      ...(queries && cached ? [
        { measurement: `drill-down ×${options.clients}`, 'events/s': '', seconds: options.querySeconds, 'p50 ms': queries.p50, 'p99 ms': queries.p99, target: `p99 < ${QUERY_P99_TARGET_MS} ms`, met: queries.p99 < QUERY_P99_TARGET_MS },
        { measurement: `drill-down cached ×${options.clients}`, 'events/s': '', seconds: options.querySeconds, 'p50 ms': cached.p50, 'p99 ms': cached.p99, target: `p99 < ${QUERY_P99_TARGET_MS} ms`, met: cached.p99 < QUERY_P99_TARGET_MS },
      ] : []),
    ]);
    process.stderr.write(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}; load average ${load()}\n`);
    if (options.keep && scratch) process.stderr.write(`kept the database: --database ${url}\n`);
    return !queries || !cached || (queries.children > 0 && cached.children === queries.children);
  } finally {
    await store.close();
    bars.stop();
    if (scratch && !options.keep && !options.generateOnly) await scratch.drop();
  }
}

/** CDT_BENCH_MONGO_URL, else the engines harness env file's MongoDB. */
function benchMongoUrl(): string | undefined {
  if (process.env['CDT_BENCH_MONGO_URL']) return process.env['CDT_BENCH_MONGO_URL'];
  const file = join(__dirname, '..', 'engines', '.state', 'env');
  if (!existsSync(file)) return undefined;
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('CDT_TEST_MONGO_URL='));
  return line?.slice(line.indexOf('=') + 1).trim().replace(/^['"]|['"]$/g, '');
}

async function dropMongoDatabase(url: string): Promise<void> {
  const connection = await createConnection(url).asPromise();
  try {
    await connection.dropDatabase();
  } finally {
    await connection.close();
  }
}

const program = new Command('bench:projection')
  .description('KPI projection catch-up, rebuild and drill-down latency on PostgreSQL, against reading the same log')
  .option('--events <n>', 'events to generate (at least; the last day is completed)', whole(1), 1_000_000)
  .option('--teams <n>', 'teams across the provinces\' communes', whole(1), 3000)
  .option('--provinces <codes>', '2025 province codes, comma-separated; the first is the drill-down\'s', '82,79,01')
  .option('--per-team-per-day <n>', 'mean activities per team per day', whole(1), 5)
  .option('--batch <n>', 'events per readAll page = per projection batch', whole(1), 10_000)
  .option('--writers <n>', 'concurrent appends while generating', whole(1), 8)
  .option('--clients <n>', 'concurrent drill-down callers', whole(1), 50)
  .option('--query-seconds <n>', 'duration of the query load', whole(1), 15)
  .option('--seed <n>', 'seed of the generated log', whole(0), 1)
  .option('--no-rebuild', 'skip the second projection into kpi_v2')
  .option('--keep', 'keep the scratch database and print its URL')
  .option('--generate-only', 'generate the log into a kept scratch database, print its URL and stop')
  .option('--database <url>', 'reuse a database a --keep run generated (skips generation)')
  .option('--mongo-batch <n>', 'events per page for the MongoDB catch-up (a wire server may time out on huge bulk writes)', whole(1), 1000)
  .option('--passes <names>', `what runs after the read-all baseline, comma-separated: ${PASSES.join(', ')} (catch-up: model 1 into kpi_v1, its rebuild and the drill-down queries; model2: KPI model 2 into kpi2_v1, pipelined; model2-serial: the same one page at a time; runner: the projection service's own catch-up into a fresh versioned model 2)`, 'catch-up,model2')
  .option('--mongo [url]', 'also catch up into the MongoDB read store (a scratch database there; URL default: CDT_BENCH_MONGO_URL or the engines env)');

runBench(program, bars, bench);
