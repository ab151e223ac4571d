import { loadAdminUnits } from '@cdt/admin-units';
import { openEventStore, type EventStoreOptions } from '@cdt/event-store';
import { openReadModelDatabase, type ReadModelDatabaseOptions } from '../read-models/read-model-database';
import { parseKpiModel } from '../read-models/kpi-model';
import { VersionedKpiReadStore } from '../read-models/versioned-kpi-read-store';
import { adminUnitResolver } from '../runner/admin-unit-resolver';
import { ProjectionRunner, type ProjectionRunnerOptions } from '../runner/projection-runner';

/**
 * A projection runner in a process of its own, for the crash-safety spec (which kills it with SIGKILL).
 * Configured by env: CDT_RUNNER_EVENTS and CDT_RUNNER_READ_MODELS (JSON options), CDT_RUNNER_BATCH_SIZE,
 * CDT_RUNNER_EXIT_WHEN_CAUGHT_UP, CDT_RUNNER_KPI_MODEL (the model a fresh read-model database starts with). Prints a JSON status line after every committed batch and every 100 ms.
 */
async function main(): Promise<void> {
  const json = <T>(name: string): T => JSON.parse(process.env[name] ?? 'null') as T;
  const eventStore = await openEventStore(json<EventStoreOptions>('CDT_RUNNER_EVENTS'));
  const firstModel = parseKpiModel(process.env['CDT_RUNNER_KPI_MODEL'] ?? '1', 'CDT_RUNNER_KPI_MODEL');
  const readStore = await VersionedKpiReadStore.open(await openReadModelDatabase(json<ReadModelDatabaseOptions>('CDT_RUNNER_READ_MODELS')), { firstModel });
  // Reports each batch the moment the runner has committed it, so the spec can kill the process while
  // it works on the next one, however fast catch-up is.
  const reporting: ProjectionRunnerOptions['eventStore'] = {
    head: () => eventStore.head(),
    readAll: (options) => eventStore.readAll(options),
    subscribe: (options) =>
      eventStore.subscribe({
        ...options,
        narrow: true,
        handler: async (events, checkpoint) => {
          await options.handler(events, checkpoint);
          process.stdout.write(`${JSON.stringify({ state: 'batch', checkpoint, lagEvents: null })}\n`);
        },
      }),
  };
  const runner = new ProjectionRunner({ eventStore: reporting, readStore, resolve: adminUnitResolver(loadAdminUnits()), batchSize: Number(process.env['CDT_RUNNER_BATCH_SIZE'] ?? 500) });
  await runner.start();
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    clearInterval(timer);
    await runner.stop();
    await readStore.close();
    await eventStore.close();
  };
  const timer = setInterval(() => {
    if (closing) return;
    void runner.status().then(async (status) => {
      process.stdout.write(`${JSON.stringify({ state: status.state, checkpoint: status.checkpoint ?? null, lagEvents: status.lagEvents })}\n`);
      if (process.env['CDT_RUNNER_EXIT_WHEN_CAUGHT_UP'] === '1' && status.lagEvents === 0) await shutdown();
    });
  }, 100);
  process.once('SIGTERM', () => void shutdown());
}

main().catch((error: unknown) => {
  process.stderr.write(`runner process failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
