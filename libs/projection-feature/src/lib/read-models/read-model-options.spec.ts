import { ConfigError, loadConfig } from '@cdt/platform';
import { DEFAULT_KPI_MODEL } from './kpi-model';
import { firstKpiModelOf, projectionBatchSizeOf, projectionOptionsOf, readModelOptionsOf } from './read-model-options';

const config = loadConfig({ CDT_DATA_DIR: '/tmp/cdt-read-model-options', CDT_JWT_SECRET: 'read-model-options-secret-read-model-opt' });

describe('CDT_KPI_MODEL: the model a fresh read-model database starts with', () => {
  it('defaults to DEFAULT_KPI_MODEL and takes 1 or 2', () => {
    expect(firstKpiModelOf({})).toBe(DEFAULT_KPI_MODEL);
    expect(firstKpiModelOf({ CDT_KPI_MODEL: '' })).toBe(DEFAULT_KPI_MODEL);
    expect(firstKpiModelOf({ CDT_KPI_MODEL: '1' })).toBe(1);
    expect(firstKpiModelOf({ CDT_KPI_MODEL: ' 2 ' })).toBe(2);
  });

  it('refuses anything else with a ConfigError naming the variable', () => {
    for (const raw of ['3', '0', 'two', '1.0', '2x']) {
      expect(() => firstKpiModelOf({ CDT_KPI_MODEL: raw })).toThrow(ConfigError);
      expect(() => firstKpiModelOf({ CDT_KPI_MODEL: raw })).toThrow(`CDT_KPI_MODEL must be one of 1, 2 (got "${raw}")`);
    }
  });

  it('reaches the read-model options of every engine', () => {
    expect(readModelOptionsOf(config, { CDT_KPI_MODEL: '2' })).toMatchObject({ kind: 'embedded', firstModel: 2 });
    expect(readModelOptionsOf({ ...config, databaseUrl: 'postgres://h/db' }, {})).toMatchObject({ kind: 'postgres', firstModel: DEFAULT_KPI_MODEL });
    expect(readModelOptionsOf({ ...config, readModelUrl: 'mongodb://h/db' }, { CDT_KPI_MODEL: '2' })).toMatchObject({ kind: 'mongo', firstModel: 2 });
  });
});

describe('CDT_PROJECTION_BATCH_SIZE: events per projection batch at most', () => {
  it("unset leaves the runner's default per model; a whole number from 1 to 1,000,000 is taken", () => {
    expect(projectionBatchSizeOf({})).toBeUndefined();
    expect(projectionBatchSizeOf({ CDT_PROJECTION_BATCH_SIZE: ' ' })).toBeUndefined();
    expect(projectionBatchSizeOf({ CDT_PROJECTION_BATCH_SIZE: '20000' })).toBe(20000);
    expect(projectionBatchSizeOf({ CDT_PROJECTION_BATCH_SIZE: '1000000' })).toBe(1000000);
    expect(projectionOptionsOf(config, { CDT_PROJECTION_BATCH_SIZE: '20000' })).toMatchObject({ batchSize: 20000 });
    expect(projectionOptionsOf(config, {})).not.toHaveProperty('batchSize');
  });

  it('refuses anything else with a ConfigError naming the variable', () => {
    for (const raw of ['0', '-5', '1.5', '2e4', 'lots', '1000001', '020000']) {
      expect(() => projectionBatchSizeOf({ CDT_PROJECTION_BATCH_SIZE: raw })).toThrow(ConfigError);
      expect(() => projectionBatchSizeOf({ CDT_PROJECTION_BATCH_SIZE: raw })).toThrow(`CDT_PROJECTION_BATCH_SIZE must be a whole number from 1 to 1000000 (got "${raw}")`);
    }
  });
});
