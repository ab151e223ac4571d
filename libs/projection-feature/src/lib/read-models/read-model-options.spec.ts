import { ConfigError, loadConfig } from '@cdt/platform';
import { DEFAULT_KPI_MODEL } from './kpi-model';
import { firstKpiModelOf, readModelOptionsOf } from './read-model-options';

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
