import type { KpiModel } from './kpi-model';
import type { LiveKpiReadStore } from './live-kpi-read-store';
import { MongoVersionedKpiReadStore } from './mongo-versioned-kpi-read-store';
import { openReadModelDatabase, type ReadModelDatabaseOptions } from './read-model-database';
import { VersionedKpiReadStore } from './versioned-kpi-read-store';

/**
 * Where the live KPI model lives: a SQL database (PGlite or PostgreSQL), or MongoDB (cluster mode,
 * CDT_READ_MODEL_URL); `firstModel`, the model a fresh database starts with (CDT_KPI_MODEL, default 1).
 */
export type ReadModelOptions = (ReadModelDatabaseOptions | { kind: 'mongo'; url: string; poolSize?: number }) & { firstModel?: KpiModel };

/** The one place the live model's engine is chosen, from validated start-up config. */
export async function openLiveKpiReadStore(options: ReadModelOptions): Promise<LiveKpiReadStore> {
  return options.kind === 'mongo'
    ? MongoVersionedKpiReadStore.connect(options.url, { poolSize: options.poolSize, firstModel: options.firstModel })
    : VersionedKpiReadStore.open(await openReadModelDatabase(options), { firstModel: options.firstModel });
}
