import { loadAdminUnits } from '@cdt/admin-units';
import { openEventStore, type ManagedEventStore } from '@cdt/event-store';
import { connectMongoDatabase, type MongoDatabase } from '@cdt/read-store';
import type { KpiModel } from '../read-models/kpi-model';
import { MongoVersionedKpiReadStore } from '../read-models/mongo-versioned-kpi-read-store';
import { openLiveKpiReadStore } from '../read-models/open-live-kpi-read-store';
import { openReadModelDatabase } from '../read-models/read-model-database';
import { VersionedKpiReadStore } from '../read-models/versioned-kpi-read-store';
import { adminUnitResolver } from '../runner/admin-unit-resolver';
import { ProjectionRunner } from '../runner/projection-runner';
import { appendLog, type Append } from './generated-log';

/** Closes what was opened, last first, going on past a failure; the first failure is thrown at the end. */
async function closeAll(closers: (() => Promise<unknown>)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const close of closers.reverse()) await close().catch((error: unknown) => failures.push(error));
  if (failures.length > 0) throw failures[0];
}

/** Runs `open` with a `defer` for each thing it opens; if it throws, what it had opened is closed. */
async function opening<T>(open: (defer: (close: () => Promise<unknown>) => void) => Promise<T>): Promise<T & { close(): Promise<void> }> {
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const opened = await open((close) => closers.push(close));
    return { ...opened, close: () => closeAll(closers) };
  } catch (error) {
    await closeAll(closers).catch(() => undefined);
    throw error;
  }
}

/** A fresh database for one spec (`freshPostgresDatabase` of @cdt/testing, which only specs may import); the fixture drops it on close. */
interface PostgresTestDatabase {
  adminUrl: string;
  appUrl: string;
  drop(): Promise<void>;
}

/** A KPI service on PostgreSQL as `npm start` runs it there: the live read model and a runner projecting into it. */
export interface PostgresKpiService {
  readonly database: PostgresTestDatabase;
  readonly eventStore: ManagedEventStore;
  /** The query side's store. */
  readonly liveStore: VersionedKpiReadStore;
  readonly runner: ProjectionRunner;
  /** Another process's view of the same read-model database (a rebuild, a cold service); the caller closes it. */
  openStore(): Promise<VersionedKpiReadStore>;
  /** Stops the runner, closes the stores and drops the database. */
  close(): Promise<void>;
}

/**
 * `log` appended to the (empty) `database`, and a KPI service on it caught up with the log (batches of
 * 500); the read model starts with `firstModel` (default: DEFAULT_KPI_MODEL).
 */
export function startPostgresKpiService(
  database: PostgresTestDatabase,
  options: { log: readonly Append[]; firstModel?: KpiModel; budgetMs: number },
): Promise<PostgresKpiService> {
  return opening(async (defer) => {
    defer(() => database.drop());
    const eventStore = await openEventStore({ kind: 'postgres', url: database.appUrl, adminUrl: database.adminUrl, pollIntervalMs: 100 });
    defer(() => eventStore.close());
    await appendLog(eventStore, options.log);
    const openStore = async () =>
      VersionedKpiReadStore.open(await openReadModelDatabase({ kind: 'postgres', url: database.adminUrl, poolSize: 4 }), { firstModel: options.firstModel });
    const liveStore = await openStore();
    defer(() => liveStore.close());
    const runner = new ProjectionRunner({ eventStore, readStore: liveStore, resolve: adminUnitResolver(loadAdminUnits()), batchSize: 500 });
    defer(() => runner.stop());
    await runner.start();
    await runner.waitUntilCaughtUp(options.budgetMs);
    return { database, eventStore, liveStore, runner, openStore };
  });
}

/** A fresh database for one spec (`freshMongoDatabase` of @cdt/testing); the fixture drops it on close. */
interface MongoTestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** The live versioned KPI model on a fresh MongoDB database, opened as a service opens it, over an empty in-memory event store. */
export interface MongoLiveKpi {
  readonly database: MongoTestDatabase;
  /** The same database through the driver, to look at its collections. */
  readonly raw: MongoDatabase;
  readonly eventStore: ManagedEventStore;
  readonly readStore: MongoVersionedKpiReadStore;
  /** Closes the stores and the connection and drops the database (a runner on them is the caller's to stop first). */
  close(): Promise<void>;
}

export function openMongoLiveKpi(database: MongoTestDatabase): Promise<MongoLiveKpi> {
  return opening(async (defer) => {
    defer(() => database.drop());
    const raw = await connectMongoDatabase(database.url);
    defer(() => raw.close());
    const eventStore = await openEventStore({ kind: 'memory', pollIntervalMs: 50 });
    defer(() => eventStore.close());
    const readStore = await openLiveKpiReadStore({ kind: 'mongo', url: database.url, poolSize: 4 });
    defer(() => readStore.close());
    if (!(readStore instanceof MongoVersionedKpiReadStore)) throw new Error('openLiveKpiReadStore({ kind: "mongo" }) did not open the MongoDB model');
    return { database, raw, eventStore, readStore };
  });
}
