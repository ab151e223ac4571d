export * from './lib/read-store.port';
export * from './lib/figures-under';
export * from './lib/sql-database';
export * from './lib/sql-kpi-read-store';
export * from './lib/mongo/mongo-kpi-read-store';
export * from './lib/open-kpi-read-store';
export * from './lib/kpi-queries';
export * from './lib/project-into-store';
