import { mkdirSync } from 'node:fs';
import { loadPglite } from '@cdt/event-store';
import { pgDatabase, pgliteDatabase, type SqlDatabase } from '@cdt/read-store';
import { Pool } from 'pg';

/**
 * Where the KPI read models live. Embedded: a PGlite directory of its own (PGlite is one connection in
 * one process, so it cannot share the event store's directory); server: the event store's PostgreSQL
 * database, one schema per model version (`kpi_v1`, `kpi_v2`, …) plus `kpi_meta`.
 */
export type ReadModelDatabaseOptions =
  | { kind: 'memory' }
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'postgres'; url: string; poolSize?: number };

export async function openReadModelDatabase(options: ReadModelDatabaseOptions): Promise<SqlDatabase> {
  switch (options.kind) {
    case 'memory':
      return pgliteDatabase(await loadPglite().create());
    case 'embedded':
      mkdirSync(options.dataDir, { recursive: true });
      return pgliteDatabase(await loadPglite().create(options.dataDir));
    case 'postgres':
      return pgDatabase(new Pool({ connectionString: options.url, max: options.poolSize ?? 10, application_name: 'cdt-projection' }));
    default: {
      const unknownKind: never = options;
      throw new Error(`unknown read-model database kind: ${JSON.stringify(unknownKind)}`);
    }
  }
}
