import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { loadAdminUnits } from '@cdt/admin-units';
import { openEventStore, type EventStore, type ManagedEventStore } from '@cdt/event-store';
import { adminUnitResolver } from '@cdt/projection-feature';
import { RunNotFoundError, ScoringUnits, verifyRun, type VerifyReport } from '@cdt/scoring-feature';

interface StoreOptions {
  databaseUrl?: string;
  dataDir?: string;
}

/**
 * Verifies one run against the log and writes the verdict: `identical`, or `different` with the first
 * difference. Returns the exit code (0 identical, 1 different or not found), so tests call it directly.
 */
export async function verifyRanking(store: EventStore, runId: string, options: { json?: boolean; write?: (text: string) => void } = {}): Promise<number> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const units = loadAdminUnits();
  let report: VerifyReport;
  try {
    report = await verifyRun({ store, units: new ScoringUnits(units), resolve: adminUnitResolver(units) }, runId);
  } catch (error) {
    if (error instanceof RunNotFoundError) {
      write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (options.json) write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    for (const check of report.checks) write(`${check.ok ? 'ok  ' : 'FAIL'} ${check.step.padEnd(16)} ${check.detail}\n`);
    write(report.verdict === 'identical' ? `run ${runId}: identical\n` : `run ${runId}: different — ${report.firstDifference}\n`);
  }
  return report.verdict === 'identical' ? 0 : 1;
}

/** `cdt ranking verify <runId>`: rebuilds a run's inputs from the event log at its watermark and re-runs its criteria version. */
export function rankingCommand(): Command {
  const ranking = new Command('ranking').description('evaluation runs: reproduce a ranking from the event log');
  ranking.addCommand(
    new Command('verify')
      .description('rebuild the inputs from the log up to the run\'s watermark, re-run its criteria version, print "identical" or the first difference (exit code 1)')
      .argument('<runId>')
      .option('--database-url <url>', 'PostgreSQL event store (default: env CDT_DATABASE_URL)')
      .option('--data-dir <dir>', 'embedded store: the CDT_DATA_DIR of a stopped standalone (default: env CDT_DATA_DIR or ./.data)')
      .option('--json', 'print the whole report as JSON')
      .action(async (runId: string, options: StoreOptions & { json?: boolean }) => {
        const store = await openStore(options);
        try {
          process.exitCode = await verifyRanking(store, runId, { json: options.json });
        } finally {
          await store.close();
        }
      }),
  );
  return ranking;
}

async function openStore(options: StoreOptions): Promise<ManagedEventStore> {
  const databaseUrl = options.databaseUrl ?? (options.dataDir ? undefined : process.env['CDT_DATABASE_URL']);
  if (databaseUrl) return openEventStore({ kind: 'postgres', url: databaseUrl, poolSize: 3 });
  const storeDir = join(resolve(options.dataDir ?? process.env['CDT_DATA_DIR'] ?? './.data'), 'event-store');
  if (!existsSync(storeDir)) throw new Error(`no embedded event store at ${storeDir} (pass --data-dir or --database-url)`);
  return openEventStore({ kind: 'embedded', dataDir: storeDir });
}
