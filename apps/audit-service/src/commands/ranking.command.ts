import { Command } from 'commander';
import { loadAdminUnits } from '@cdt/admin-units';
import type { EventStore } from '@cdt/event-store';
import { adminUnitResolver } from '@cdt/projection-feature';
import { RunNotFoundError, ScoringUnits, verifyRun, type VerifyReport } from '@cdt/scoring-feature';
import { withOpenStore, withStoreFlags, type StoreOptions } from './event-store-flags';


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
    withStoreFlags(new Command('verify'))
      .description('rebuild the inputs from the log up to the run\'s watermark, re-run its criteria version, print "identical" or the first difference (exit code 1)')
      .argument('<runId>')
      .option('--json', 'print the whole report as JSON')
      .action(async (runId: string, options: StoreOptions & { json?: boolean }) => {
        await withOpenStore(options, async (store) => {
          process.exitCode = await verifyRanking(store, runId, { json: options.json });
        });
      }),
  );
  return ranking;
}

