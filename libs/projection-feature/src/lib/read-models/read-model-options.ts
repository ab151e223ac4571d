import { join } from 'node:path';
import type { CdtConfig } from '@cdt/platform';
import type { ProjectionFeatureOptions } from '../projection-feature.module';
import type { ReadModelOptions } from './open-live-kpi-read-store';

/**
 * CDT_READ_MODEL_URL set (cluster mode): that MongoDB database. Else embedded: `<CDT_DATA_DIR>/read-models`,
 * a PGlite directory beside the event store's (two PGlite instances cannot share one directory). Server:
 * the event store's database, as the owner role when CDT_DATABASE_ADMIN_URL is set (the model's schemas
 * belong to the projection, not to the app role).
 */
export function readModelOptionsOf(config: CdtConfig): ReadModelOptions {
  if (config.readModelUrl !== undefined) return { kind: 'mongo', url: config.readModelUrl };
  return config.databaseUrl === undefined
    ? { kind: 'embedded', dataDir: join(config.dataDir, 'read-models') }
    : { kind: 'postgres', url: config.databaseAdminUrl ?? config.databaseUrl };
}

/** The projection of one process, from start-up config: its read models and where it reads the log. */
export function projectionOptionsOf(config: CdtConfig): ProjectionFeatureOptions {
  return { readModels: readModelOptionsOf(config), kafka: config.projectionSource === 'kafka' ? config.kafka : undefined };
}
