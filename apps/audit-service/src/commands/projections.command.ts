import { isAbsolute, join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { loadAdminUnits } from '@cdt/admin-units';
import { openEventStore, type EventStoreOptions } from '@cdt/event-store';
import {
  adminUnitResolver,
  DEFAULT_REBUILD_BATCH_SIZE,
  REBUILD_BATCH_SIZE,
  firstKpiModelOf,
  openLiveKpiReadStore,
  parseKpiModel,
  rebuildKpiModel,
  VersionedKpiReadStore,
  type KpiModel,
  type LiveKpiReadStore,
  type ReadModelOptions,
} from '@cdt/projection-feature';
import { verifyKpiModel, type ModelCheckReport } from '@cdt/audit-feature';

interface StoreFlags {
  databaseUrl?: string;
  dataDir?: string;
  readModelUrl?: string;
}

/**
 * `cdt projections rebuild|status|verify`: the KPI read model's versions. A rebuild projects the whole log into
 * a new version beside the live one, switches when caught up and drops the old one; verify rebuilds into a
 * scratch schema and names every figure that differs from the live one (docs/operations/projections.md).
 */
export function projectionsCommand(): Command {
  const projections = new Command('projections').description('KPI read models: status and rebuild without downtime');
  const withStoreFlags = (command: Command) =>
    command
      .option('--database-url <url>', 'PostgreSQL (server mode; default env CDT_DATABASE_ADMIN_URL, then CDT_DATABASE_URL)')
      .option('--data-dir <dir>', 'embedded data directory (default env CDT_DATA_DIR or ./.data); the server must be stopped')
      .option('--read-model-url <url>', 'MongoDB read models (cluster mode; default env CDT_READ_MODEL_URL)');

  projections.addCommand(
    withStoreFlags(new Command('rebuild'))
      .description('build a new KPI model version from the whole log, switch to it when caught up, drop the old one')
      .option('--model <1|2>', 'the KPI model the new version holds (default: the live version\'s; 2 migrates a model-1 deployment, ADR 0010)', (raw: string) => kpiModelFlag(raw))
      .option('--batch-size <n>', `events per transaction (default: ${REBUILD_BATCH_SIZE[1]} for model 1, ${REBUILD_BATCH_SIZE[2]} for model 2)`, positiveInt)
      .option('--grace-ms <ms>', 'wait between the switch and dropping the old version', positiveInt)
      .action(async (flags: StoreFlags & { model?: KpiModel; batchSize?: number; graceMs?: number }) => {
        await withStores(flags, async ({ eventStore, readStore }) => {
          const bar = new SingleBar({ format: '{phase} {version} |{bar}| {percentage}% {value}/{total} log positions | {eta_formatted} left', etaBuffer: 50 }, Presets.shades_classic);
          let started = false;
          const result = await rebuildKpiModel({
            eventStore,
            readStore,
            resolve: adminUnitResolver(loadAdminUnits()),
            model: flags.model,
            batchSize: flags.batchSize,
            graceMs: flags.graceMs,
            onProgress: (p) => {
              if (!started) {
                started = true;
                process.stdout.write(`${p.resumed ? 'resuming the interrupted rebuild of' : 'building'} ${p.version} (KPI model ${p.model})\n`);
                bar.start(p.total, p.done, { phase: p.phase, version: p.version });
              }
              bar.setTotal(p.total);
              bar.update(p.done, { phase: p.phase, version: p.version });
            },
          });
          bar.stop();
          process.stdout.write(`live KPI model is now ${result.version} (was ${result.previous}), model ${result.model}; projected ${result.events} events; dropped ${result.dropped.join(', ') || 'nothing'}\n`);
        });
      }),
  );

  projections.addCommand(
    withStoreFlags(new Command('status'))
      .description('the model versions, which one is live, and how far each has projected the log')
      .action(async (flags: StoreFlags) => {
        await withStores(flags, async ({ eventStore, readStore }) => {
          const head = await eventStore.head();
          const live = await readStore.activeSchema();
          process.stdout.write(`log head: position ${head.globalPosition}\n`);
          for (const version of await readStore.versions.list()) {
            const checkpoint = await (await readStore.version(version.schema)).store.checkpoint();
            const marker = version.schema === live ? '*' : ' ';
            process.stdout.write(`${marker} ${version.schema.padEnd(10)} ${version.status.padEnd(9)} model ${version.model}  at position ${checkpoint?.globalPosition ?? 0}  (created ${version.createdAt})\n`);
          }
        });
      }),
  );
  projections.addCommand(
    withStoreFlags(new Command('verify'))
      .description('rebuild the KPI model from the log into a scratch schema and report every figure that differs from the live one (exit code 1)')
      .option('--batch-size <n>', 'events per transaction', positiveInt, DEFAULT_REBUILD_BATCH_SIZE)
      .option('--max-differences <n>', 'differences listed (all are counted)', positiveInt, 1000)
      .option('--keep-scratch', 'keep the scratch schema kpi_verify afterwards, to query it')
      .option('--json', 'print the whole report as JSON')
      .action(async (flags: StoreFlags & { batchSize: number; maxDifferences: number; keepScratch?: boolean; json?: boolean }) => {
        await withStores(flags, async ({ eventStore, readStore }) => {
          if (!(readStore instanceof VersionedKpiReadStore)) throw new Error('cdt projections verify is not available on MongoDB read models: it rebuilds and compares the model in SQL (PostgreSQL or PGlite)');
          const bar = new SingleBar({ format: 'verify: rebuilding |{bar}| {percentage}% {value}/{total} log positions | {eta_formatted} left', stream: process.stderr, etaBuffer: 50 }, Presets.shades_classic);
          let started = false;
          const report = await verifyKpiModel({
            eventStore,
            readStore,
            resolve: adminUnitResolver(loadAdminUnits()),
            batchSize: flags.batchSize,
            maxDifferences: flags.maxDifferences,
            keepScratch: flags.keepScratch,
            onProgress: (p) => {
              if (!started) {
                started = true;
                if (p.resumed) process.stderr.write('resuming the scratch rebuild an interrupted verify left\n');
                bar.start(p.total, p.done);
              }
              bar.setTotal(p.total);
              bar.update(p.done);
            },
          });
          if (started) bar.stop();
          printModelCheck(report, Boolean(flags.json));
          if (!report.ok) process.exitCode = 1;
        });
      }),
  );
  return projections;
}

function printModelCheck(report: ModelCheckReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const { ok, live, model, checkpoint, figuresCompared, differenceCount, eventsProjected, resumed } = report;
  process.stdout.write(`${JSON.stringify({ ok, live, model, checkpoint, figuresCompared, differenceCount, eventsProjected, resumed })}\n`);
  for (const d of report.differences) {
    if (d.kind === 'fact') {
      process.stdout.write(`DIFFERS ${d.indicator} ${d.unitKey} ${d.period}: only in ${d.live === null ? 'rebuilt' : 'live'}: ${d.detail ?? ''}\n`);
      continue;
    }
    const where = d.kind === 'figure' ? `${d.view} ${d.level} ${d.unitKey} ${d.periodKind} ${d.period} ${d.indicator}` : `target ${d.unitKey} ${d.period} ${d.indicator}`;
    process.stdout.write(`DIFFERS ${where}: live ${d.live ?? '(none)'} rebuilt ${d.rebuilt ?? '(none)'}\n`);
  }
  if (differenceCount > report.differences.length) process.stdout.write(`… and ${differenceCount - report.differences.length} more (--max-differences)\n`);
}

function kpiModelFlag(raw: string): KpiModel {
  try {
    return parseKpiModel(raw, '--model');
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

function positiveInt(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError('expected a positive integer');
  return value;
}

/** Server mode when a database URL is given (flag or env), else the embedded directories under the data dir. */
/** The read models on MongoDB when a read-model URL is given (flag or env), as the services find them. */
function storeOptions(flags: StoreFlags): { events: EventStoreOptions; readModels: ReadModelOptions } {
  if (flags.databaseUrl && flags.dataDir) throw new InvalidArgumentError('give --database-url or --data-dir, not both');
  const env = process.env;
  const readModelUrl = flags.readModelUrl ?? env['CDT_READ_MODEL_URL'];
  const mongo = readModelUrl ? ({ kind: 'mongo', url: readModelUrl, poolSize: 4 } as const) : undefined;
  const url = flags.databaseUrl ?? (flags.dataDir ? undefined : (env['CDT_DATABASE_ADMIN_URL'] ?? env['CDT_DATABASE_URL']));
  // As the services do: a fresh read-model database starts with CDT_KPI_MODEL's model.
  const firstModel = firstKpiModelOf(env);
  if (url) return { events: { kind: 'postgres', url }, readModels: { ...(mongo ?? { kind: 'postgres', url, poolSize: 4 }), firstModel } };
  const raw = flags.dataDir ?? env['CDT_DATA_DIR'] ?? './.data';
  const dataDir = isAbsolute(raw) ? raw : resolve(process.cwd(), raw);
  return { events: { kind: 'embedded', dataDir: join(dataDir, 'event-store') }, readModels: { ...(mongo ?? { kind: 'embedded', dataDir: join(dataDir, 'read-models') }), firstModel } };
}

async function withStores(
  flags: StoreFlags,
  work: (stores: { eventStore: Awaited<ReturnType<typeof openEventStore>>; readStore: LiveKpiReadStore }) => Promise<void>,
): Promise<void> {
  const options = storeOptions(flags);
  const eventStore = await openEventStore(options.events);
  try {
    const readStore = await openLiveKpiReadStore(options.readModels);
    try {
      await work({ eventStore, readStore });
    } finally {
      await readStore.close();
    }
  } finally {
    await eventStore.close();
  }
}
