/**
 * `npm run bench:scoring [-- --teams 75000 --period 2026-Q1 --rounds 2 --passes baseline,service,bulk]`
 * A nationwide team evaluation for one quarter, against reading the same read-model rows, in one run:
 *   0. setup (not measured): `--teams` teams over today's 34 provinces / 3,321 communes, their quarter
 *      figures, registry stocks, weekly activity and targets written straight into the SQL KPI read
 *      model `kpi_v1` (test/bench/scoring/quarter-rows.ts) of a scratch PostgreSQL database;
 *   1. baseline: the rows the evaluation needs, read into Node with three plain SELECTs (the quarter's
 *      figures of the indicators the set reads with the stocks up to it, the weeks' `active-teams`, the
 *      set's targets), nothing else;
 *   2. service: what an evaluation run computes for docs/scoring/default-criteria.json within each
 *      province, nationwide: `gatherInputs` of @cdt/scoring-feature over the SqlKpiReadStore (the run's own
 *      input gathering: `figuresUnder` per province, the quarter and its weeks), `evaluate`, the results
 *      digest and the inputs digest (`runDigests` of @cdt/scoring-feature, as a run records them); off the clock, the size
 *      of the largest event the run would append;
 *   3. bulk: the same evaluation and digests over inputs built here from the baseline's three SELECTs
 *      (the evaluation over the plainest possible reading of the same rows).
 * Each pass runs `--rounds` times, alternating, each in a fresh child process, so its peak RSS is its own
 * (`process.resourceUsage().maxRSS`; module loading included, the same for every pass). The table shows the
 * fastest round of each. Targets: scoring under 3 s and under 3× the baseline.
 * PostgreSQL: CDT_BENCH_POSTGRES_URL (a role that may CREATE DATABASE), else test/engines/.state/env
 * (`bash test/engines/up.sh postgres`). `--keep` leaves the scratch database; `--database <url>` reuses it.
 * Each pass also reports the CPU its timed window used in this process (all threads) and in the PostgreSQL
 * processes serving the database (`node_cpu_ms`, `postgres_cpu_ms`): on a shared box the wall clock follows the
 * neighbours, the CPU much less.
 * Prints one JSON line per measurement, then a table; progress on stderr.
 */
import { fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Pool } from 'pg';
import { loadAdminUnits } from '@cdt/admin-units';
import { INDICATORS } from '@cdt/domain-kpi';
import { evaluate, requiredIndicators, requiredTargets, validateCriteriaSet, type CriteriaSet, type EvaluationInput } from '@cdt/domain-scoring';
import { parsePeriod } from '@cdt/domain-shared';
import { pgDatabase, periodsBetween, SqlKpiReadStore } from '@cdt/read-store';
import { evaluationRunEvents, gatherInputs, recordedResultsOf, runDigests, ScoringUnits, type EvaluationFacts } from '@cdt/scoring-feature';
import { progressBars, runBench, whole } from './bench-cli';
import { processCpuMs } from './ingest/cpu-meter';
import { insertBatch, quarterBatches } from './scoring/quarter-rows';
import { benchPostgresUrl, round1, scratchDatabase } from './store-append';

interface Options {
  teams: number;
  period: string;
  seed: number;
  rounds: number;
  keep: boolean;
  database?: string;
  passes: Phase[];
  phase?: Phase;
}

type Phase = 'baseline' | 'service' | 'bulk';

interface PhaseResult {
  phase: Phase;
  ms: number;
  rows?: number;
  units?: number;
  ranked?: number;
  stages?: Record<string, number>;
  recordedJsonMiB?: number;
  largestEventMiB?: number;
  rssBeforeMiB: number;
  peakRssMiB: number;
  /** CPU used in the timed window by this process and by the PostgreSQL backends of the database, ms. */
  nodeCpuMs: number;
  postgresCpuMs: number;
}

const SCHEMA = 'kpi_v1';
const TIME_TARGET_MS = 3000;
const RATIO_TARGET = 3;
const bars = progressBars();
const mib = (bytes: number): number => round1(bytes / 2 ** 20);

function defaultSet(): CriteriaSet {
  const result = validateCriteriaSet(JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'scoring', 'default-criteria.json'), 'utf8')));
  if (!result.ok) throw new Error(`docs/scoring/default-criteria.json is invalid: ${JSON.stringify(result.problems)}`);
  return result.set;
}

const openPool = (url: string): Pool => {
  const pool = new Pool({ connectionString: url, max: 4, application_name: 'cdt-bench-scoring' });
  pool.on('error', (error) => process.emitWarning(`bench pool: ${error.message}`));
  return pool;
};

interface QuarterRows {
  readonly quarter: { unit_key: string; province: string; period_key: string; indicator: string; value: string }[];
  readonly weeks: { unit_key: string }[];
  readonly targets: { unit_key: string; indicator: string; value: number }[];
}

/**
 * Every row the evaluation reads, fetched into Node: the quarter's figures of the indicators the set
 * reads (stocks up to the quarter), the weeks' activity, the targets.
 */
async function readRows(pool: Pool, period: string, set: CriteriaSet): Promise<QuarterRows> {
  const bounds = parsePeriod(period);
  if (!bounds) throw new Error(`${period} is not a period`);
  const weeks = periodsBetween('week', bounds.first, bounds.last);
  const stored = requiredIndicators(set).filter((code) => INDICATORS.some((indicator) => indicator.code === code));
  const quarter = await pool.query(
    `select unit_key, province, period_key, indicator, value::text from ${SCHEMA}.figures
      where view = 'current' and level = 'team' and period_kind = 'quarter' and period_key <= $1 and indicator = any($2::text[])`,
    [period, stored],
  );
  const active = await pool.query(
    `select unit_key from ${SCHEMA}.figures where view = 'current' and level = 'team' and period_kind = 'week' and period_key = any($1::text[]) and indicator = 'active-teams' and value > 0`,
    [weeks],
  );
  const targets = await pool.query(`select unit_key, indicator, value from ${SCHEMA}.targets where period = $1 and indicator = any($2::text[])`, [period, requiredTargets(set)]);
  return { quarter: quarter.rows, weeks: active.rows, targets: targets.rows };
}

const STOCKS = new Set(INDICATORS.filter((indicator) => indicator.definition.kind === 'stock').map((indicator) => indicator.code));

/** Inputs from the bulk rows: flows of the quarter, stocks summed up to it, active weeks counted, targets; ranked within the province. */
function inputsFromRows(set: CriteriaSet, period: string, rows: QuarterRows): EvaluationInput[] {
  const wanted = new Set(requiredIndicators(set));
  const wantedTargets = new Set(requiredTargets(set));
  const units = new Map<string, { parentCode: string; figures: Record<string, number>; targets: Record<string, number> }>();
  const unitOf = (unitCode: string, province = '') => {
    let unit = units.get(unitCode);
    if (!unit) units.set(unitCode, (unit = { parentCode: province, figures: {}, targets: {} }));
    return unit;
  };
  for (const row of rows.quarter) {
    const unit = unitOf(row.unit_key, row.province);
    if (!wanted.has(row.indicator)) continue;
    if (STOCKS.has(row.indicator)) unit.figures[row.indicator] = (unit.figures[row.indicator] ?? 0) + Number(row.value);
    else if (row.period_key === period) unit.figures[row.indicator] = Number(row.value);
  }
  if (wanted.has('active-weeks')) for (const row of rows.weeks) {
    const unit = units.get(row.unit_key);
    if (unit) unit.figures['active-weeks'] = (unit.figures['active-weeks'] ?? 0) + 1;
  }
  for (const row of rows.targets) if (wantedTargets.has(row.indicator)) {
    const unit = units.get(row.unit_key);
    if (unit) unit.targets[row.indicator] = row.value;
  }
  return [...units].map(([unitCode, unit]) => ({ unitCode, ...unit }));
}

/** The pass's peak RSS, taken when its timed work ends (what follows, such as sizing the recorded JSON, is not the pass's). */
type Measured = Omit<PhaseResult, 'rssBeforeMiB'>;
const peakRss = (): number => round1(process.resourceUsage().maxRSS / 1024);

/**
 * CPU used so far by this process and by the PostgreSQL processes serving `database` (their process
 * titles name it), ms: on a shared box the wall clock follows the neighbours, the CPU much less.
 */
function cpuSoFar(database: string): { node: number; postgres: number } {
  const usage = process.cpuUsage();
  let postgres = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (title.startsWith('postgres: ') && title.includes(` ${database} `)) postgres += processCpuMs(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return { node: (usage.user + usage.system) / 1000, postgres };
}

/** Starts a CPU window; the returned function closes it (call it where the timed work ends). */
const cpuWindow = (pool: Pool): (() => { nodeCpuMs: number; postgresCpuMs: number }) => {
  const database = (pool.options.database as string | undefined) ?? new URL(pool.options.connectionString as string).pathname.slice(1);
  const start = cpuSoFar(database);
  return () => {
    const end = cpuSoFar(database);
    return { nodeCpuMs: Math.round(end.node - start.node), postgresCpuMs: Math.round(end.postgres - start.postgres) };
  };
};

async function baseline(pool: Pool, period: string): Promise<Measured> {
  const set = defaultSet();
  const cpu = cpuWindow(pool);
  const started = performance.now();
  const rows = await readRows(pool, period, set);
  const ms = Math.round(performance.now() - started);
  return { phase: 'baseline', ms, ...cpu(), rows: rows.quarter.length + rows.weeks.length + rows.targets.length, peakRssMiB: peakRss() };
}

/** Evaluation and both digests (`runDigests`, the current digest version, as a run records them), timed from `started`; `gathered` ends the input stage. */
function evaluateAndDigest(phase: Phase, set: CriteriaSet, inputs: EvaluationInput[], started: number, gathered: number, cpu: ReturnType<typeof cpuWindow>): Measured {
  const evaluation = evaluate(set, inputs);
  const evaluated = performance.now();
  const { inputsDigest: inputDigest, resultsDigest } = runDigests(inputs, evaluation);
  const digested = performance.now();
  const used = cpu();
  if (resultsDigest.length !== 64 || inputDigest.length !== 64) throw new Error('a digest is not sha-256 hex');
  const peakRssMiB = peakRss();
  return {
    phase,
    ms: Math.round(digested - started),
    ...used,
    units: inputs.length,
    ranked: evaluation.results.filter((result) => result.rank !== null).length,
    stages: { inputs_ms: Math.round(gathered - started), evaluate_ms: Math.round(evaluated - gathered), digests_ms: Math.round(digested - evaluated) },
    peakRssMiB,
    // Not timed, after the peak RSS is taken: the inputs and recorded results as one JSON (what a schema-1
    // EvaluationCompleted held), and the largest event of the chunked form a run now appends.
    recordedJsonMiB: mib(Buffer.byteLength(JSON.stringify({ inputs, results: recordedResultsOf(evaluation) }))),
    largestEventMiB: Math.max(...evaluationRunEvents(benchFacts(inputDigest, resultsDigest, evaluation.maxScore), inputs, recordedResultsOf(evaluation)).map((event) => mib(Buffer.byteLength(JSON.stringify(event.data))))),
  };
}

/** Facts of a run as it would record them (ids and watermark made up: only their size matters here). */
const benchFacts = (inputsDigestHex: string, resultsDigest: string, maxScore: number): EvaluationFacts => ({
  runId: '00000000-0000-4000-8000-000000000000',
  criteria: { code: 'example-team-province-quarter', version: 1, checksum: inputsDigestHex },
  level: 'team',
  within: 'province',
  area: { level: 'nation', code: 'VN' },
  view: 'current',
  period: '2026-Q1',
  watermark: { transactionId: '1', globalPosition: '1' },
  digestVersion: 2,
  inputsDigest: inputsDigestHex,
  resultsDigest,
  maxScore,
  requestedBy: 'bench',
});

/** What a run computes: inputs through the feature's own gathering, evaluation, both digests. */
async function service(pool: Pool, period: string): Promise<Measured> {
  const set = defaultSet();
  const store = await SqlKpiReadStore.open(pgDatabase(pool), SCHEMA);
  const units = new ScoringUnits(loadAdminUnits());
  const cpu = cpuWindow(pool);
  const started = performance.now();
  const inputs = await gatherInputs(store, units, { set, area: { level: 'nation', code: 'VN' }, period });
  return evaluateAndDigest('service', set, inputs, started, performance.now(), cpu);
}

/** The same evaluation and digests over inputs built from the baseline's bulk reads. */
async function bulk(pool: Pool, period: string): Promise<Measured> {
  const set = defaultSet();
  const cpu = cpuWindow(pool);
  const started = performance.now();
  const inputs = inputsFromRows(set, period, await readRows(pool, period, set));
  return evaluateAndDigest('bulk', set, inputs, started, performance.now(), cpu);
}

const PASSES: Record<Phase, (pool: Pool, period: string) => Promise<Measured>> = { baseline, service, bulk };

/** A child process: one pass, its result sent to the parent. */
async function runPhase(options: Options): Promise<boolean> {
  const pool = openPool(options.database as string);
  try {
    await pool.query('select 1');
    const rssBeforeMiB = mib(process.memoryUsage().rss);
    const result = await PASSES[options.phase as Phase](pool, options.period);
    const message = { ...result, rssBeforeMiB } satisfies PhaseResult;
    // Run by hand (`--phase service --database <url>`, e.g. under --cpu-prof), there is no parent: print it.
    if (process.send) process.send(message);
    else process.stdout.write(`${JSON.stringify(message)}\n`);
    return true;
  } finally {
    await pool.end();
  }
}

const inChild = (phase: Phase, url: string, period: string): Promise<PhaseResult> =>
  new Promise((resolve, reject) => {
    let result: PhaseResult | undefined;
    const child = fork(__filename, ['--phase', phase, '--database', url, '--period', period], { execArgv: process.execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.on('message', (message) => (result = message as PhaseResult));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`the ${phase} pass exited with ${code}`))));
  });

async function generate(url: string, options: Options): Promise<void> {
  const pool = openPool(url);
  // One wrapper for the pool: each pgDatabase(pool) adds an 'error' listener (11 of them warned MaxListenersExceeded).
  const db = pgDatabase(pool);
  const store = await SqlKpiReadStore.open(db, SCHEMA);
  const bar = bars.create(options.teams, 0, { label: 'generate teams'.padEnd(16) });
  try {
    for (const batch of quarterBatches(loadAdminUnits(), options)) {
      await insertBatch(db, SCHEMA, options.period, batch);
      bar.increment(batch.teams);
    }
    await pool.query(`vacuum analyze ${SCHEMA}.figures`);
    await pool.query(`vacuum analyze ${SCHEMA}.targets`);
  } finally {
    bar.stop();
    await store.close();
  }
}

async function bench(options: Options): Promise<boolean> {
  if (options.phase) return runPhase(options);
  const serverUrl = benchPostgresUrl();
  if (!serverUrl && !options.database) throw new Error('no PostgreSQL: set CDT_BENCH_POSTGRES_URL or run bash test/engines/up.sh postgres');
  const scratch = options.database ? undefined : await scratchDatabase(serverUrl as string, 'cdt_bench_scoring');
  const url = options.database ?? (scratch as { url: string }).url;
  try {
    if (scratch) {
      process.stderr.write(`generating ${options.teams} teams' ${options.period} read-model rows into ${new URL(url).pathname.slice(1)}…\n`);
      await generate(url, options);
    }
    bars.stop();
    const runs: Record<Phase, PhaseResult[]> = { baseline: [], service: [], bulk: [] };
    for (let round = 1; round <= options.rounds; round++) {
      for (const phase of options.passes) {
        process.stderr.write(`round ${round}/${options.rounds}: ${phase}, in a fresh process…\n`);
        runs[phase].push(await inChild(phase, url, options.period));
      }
    }
    const fastest = (results: PhaseResult[]): PhaseResult | undefined => results.reduce<PhaseResult | undefined>((best, r) => (best === undefined || r.ms < best.ms ? r : best), undefined);
    const base = fastest(runs.baseline);
    if (!base) throw new Error('--passes must include baseline: the ratio is to it');
    const ratioOf = (r: PhaseResult) => Math.round((r.ms / base.ms) * 100) / 100;
    const load = () => Math.round(loadavg()[0] * 10) / 10;
    const describe: Record<Phase, string> = {
      baseline: 'read the rows (baseline)',
      service: 'evaluate via gatherInputs (the run\'s path)',
      bulk: 'evaluate via bulk reads',
    };
    for (const phase of options.passes) {
      for (const [round, r] of runs[phase].entries()) {
        const common = { round: round + 1, seconds: r.ms / 1000, node_cpu_ms: r.nodeCpuMs, postgres_cpu_ms: r.postgresCpuMs, rss_before_mib: r.rssBeforeMiB, peak_rss_mib: r.peakRssMiB, load_avg: load() };
        const line = phase === 'baseline'
          ? { bench: 'read-rows', rows: r.rows, ...common }
          : { bench: `evaluate-${phase}`, criteria: 'docs/scoring/default-criteria.json', period: options.period, ...common, ...r.stages, units: r.units, ranked: r.ranked, ratio_to_read_rows: ratioOf(r), inputs_and_results_json_mib: r.recordedJsonMiB, largest_run_event_json_mib: r.largestEventMiB };
        process.stdout.write(`${JSON.stringify(line)}\n`);
      }
    }
    const scored = (['service', 'bulk'] as const).flatMap((phase) => {
      const best = fastest(runs[phase]);
      return best ? [{ phase, best }] : [];
    });
    const met = (r: PhaseResult) => r.ms < TIME_TARGET_MS && ratioOf(r) < RATIO_TARGET;
    console.table([
      { measurement: describe.baseline, seconds: base.ms / 1000, 'peak RSS MiB': base.peakRssMiB, ratio: '', target: '', met: '' },
      ...scored.map(({ phase, best }) => ({ measurement: `${describe[phase]}, ${best.units} teams`, seconds: best.ms / 1000, 'peak RSS MiB': best.peakRssMiB, ratio: ratioOf(best), target: `< ${TIME_TARGET_MS / 1000} s, < ${RATIO_TARGET}×`, met: met(best) })),
    ]);
    for (const { phase, best } of scored) process.stderr.write(`${phase} stages (fastest round): ${JSON.stringify(best.stages)}\n`);
    process.stderr.write(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}; load average ${load()}\n`);
    if (options.keep && scratch) process.stderr.write(`kept the database: --database ${url}\n`);
    const incomplete = scored.filter(({ best }) => options.database === undefined && best.units !== options.teams);
    for (const { phase, best } of incomplete) process.stderr.write(`the ${phase} evaluation covered ${best.units} units, not the ${options.teams} teams generated\n`);
    return incomplete.length === 0 && scored.length > 0 && scored.every(({ best }) => met(best));
  } finally {
    bars.stop();
    if (scratch && !options.keep) await scratch.drop();
  }
}

function passList(value: string): Phase[] {
  const passes = value.split(',').map((pass) => pass.trim());
  const unknown = passes.filter((pass) => !(pass in PASSES));
  if (unknown.length > 0 || !passes.includes('baseline')) throw new InvalidArgumentError('a comma-separated list of baseline, service, bulk that includes baseline');
  return passes as Phase[];
}

const program = new Command('bench:scoring')
  .description('A nationwide quarter evaluation of ~75,000 teams with the default criteria, against reading the same read-model rows')
  .option('--teams <n>', 'teams over today\'s 3,321 communes', whole(1), 75_000)
  .option('--period <quarter>', 'the quarter evaluated', '2026-Q1')
  .option('--seed <n>', 'seed of the generated figures', whole(0), 1)
  .option('--rounds <n>', 'rounds of the passes, alternating, each pass in a fresh process', whole(1), 2)
  .option('--passes <list>', 'which passes, comma-separated: baseline (required), service, bulk', (value: string) => passList(value), ['baseline', 'service', 'bulk'])
  .option('--keep', 'keep the scratch database and print its URL')
  .option('--database <url>', 'reuse a database a --keep run generated (skips generation)')
  .addOption(new Option('--phase <phase>', 'internal: run one pass in this process').choices(['baseline', 'service', 'bulk']).hideHelp());

runBench(program, bars, bench);
