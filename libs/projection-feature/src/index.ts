export { KPI_READ_STORE } from '@cdt/read-store';
export * from './lib/projection-feature.module';
export * from './lib/read-models/read-model-database';
export * from './lib/read-models/read-model-options';
export * from './lib/read-models/kpi-versions';
export * from './lib/read-models/versioned-kpi-read-store';
export * from './lib/runner/admin-unit-resolver';
export * from './lib/runner/projection-runner';
export * from './lib/rebuild/rebuild-kpi-model';
