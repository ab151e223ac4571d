export * from './lib/audit-feature.module';
export * from './lib/history/audit-history';
export * from './lib/replay/replay-format';
export * from './lib/replay/export-log';
export * from './lib/replay/check-export';
export * from './lib/model-check/verify-kpi-model';
