import { join } from 'node:path';
import { ConfigError, type CdtConfig } from '@cdt/platform';
import { DEFAULT_KPI_MODEL, parseKpiModel, type KpiModel } from './kpi-model';
import type { ProjectionFeatureOptions } from '../projection-feature.module';
import type { ReadModelOptions } from './open-live-kpi-read-store';

/**
 * CDT_READ_MODEL_URL set (cluster mode): that MongoDB database. Else embedded: `<CDT_DATA_DIR>/read-models`,
 * a PGlite directory beside the event store's (two PGlite instances cannot share one directory). Server:
 * the event store's database, as the owner role when CDT_DATABASE_ADMIN_URL is set (the model's schemas
 * belong to the projection, not to the app role).
 */
export function readModelOptionsOf(config: CdtConfig, env: NodeJS.ProcessEnv = process.env): ReadModelOptions {
  const firstModel = firstKpiModelOf(env);
  if (config.readModelUrl !== undefined) return { kind: 'mongo', url: config.readModelUrl, firstModel };
  return config.databaseUrl === undefined
    ? { kind: 'embedded', dataDir: join(config.dataDir, 'read-models'), firstModel }
    : { kind: 'postgres', url: config.databaseAdminUrl ?? config.databaseUrl, firstModel };
}

/**
 * CDT_KPI_MODEL (1 or 2, default DEFAULT_KPI_MODEL): the KPI model a FRESH read-model database starts
 * with. A database that has a live version keeps its model; `cdt projections rebuild --model 2` migrates it.
 */
export function firstKpiModelOf(env: NodeJS.ProcessEnv = process.env): KpiModel {
  const raw = env['CDT_KPI_MODEL']?.trim();
  if (raw === undefined || raw === '') return DEFAULT_KPI_MODEL;
  try {
    return parseKpiModel(raw, 'CDT_KPI_MODEL');
  } catch (error) {
    throw new ConfigError([error instanceof Error ? error.message : String(error)]);
  }
}

/**
 * CDT_PROJECTION_BATCH_SIZE (1 to 1,000,000; unset: the runner's default per model, DEFAULT_BATCH_SIZE and
 * DEFAULT_MODEL2_BATCH_SIZE): events per batch at most. Larger batches catch up faster and take more memory
 * (model 2 on the 1M bench log: pages of 50,000 peaked at ~1.1–1.2 GB RSS, of 20,000 at ~0.94 GB).
 */
export function projectionBatchSizeOf(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env['CDT_PROJECTION_BATCH_SIZE']?.trim();
  if (raw === undefined || raw === '') return undefined;
  const size = /^[1-9][0-9]*$/.test(raw) ? Number(raw) : NaN;
  if (!(size <= 1_000_000)) throw new ConfigError([`CDT_PROJECTION_BATCH_SIZE must be a whole number from 1 to 1000000 (got "${raw}")`]);
  return size;
}

/** The projection of one process, from start-up config: its read models, where it reads the log, its batch size. */
export function projectionOptionsOf(config: CdtConfig, env: NodeJS.ProcessEnv = process.env): ProjectionFeatureOptions {
  const batchSize = projectionBatchSizeOf(env);
  return {
    readModels: readModelOptionsOf(config, env),
    kafka: config.projectionSource === 'kafka' ? config.kafka : undefined,
    ...(batchSize === undefined ? {} : { batchSize }),
  };
}
