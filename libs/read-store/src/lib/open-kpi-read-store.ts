import { mkdirSync } from 'node:fs';
import { loadPglite } from '@cdt/event-store';
import { Pool } from 'pg';
import type { KpiReadStore } from './read-store.port';
import { pgDatabase, pgliteDatabase } from './sql-database';
import { SqlKpiReadStore } from './sql-kpi-read-store';

export type KpiReadStoreOptions = (
  | { kind: 'memory' }
  /** PGlite files under `dataDir` (its own directory, not the event store's). */
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'postgres'; url: string; poolSize?: number }
) & {
  /** Schema of the model version (default `kpi_v1`): a rebuild writes a new one alongside. */
  schema?: string;
};

/** The one place a read-store engine is chosen, from validated start-up config. */
export async function openKpiReadStore(options: KpiReadStoreOptions): Promise<KpiReadStore> {
  switch (options.kind) {
    case 'memory':
      return SqlKpiReadStore.open(pgliteDatabase(await loadPglite().create()), options.schema);
    case 'embedded':
      mkdirSync(options.dataDir, { recursive: true });
      return SqlKpiReadStore.open(pgliteDatabase(await loadPglite().create(options.dataDir)), options.schema);
    case 'postgres': {
      const pool = new Pool({ connectionString: options.url, max: options.poolSize ?? 10, application_name: 'cdt-read-store' });
      return SqlKpiReadStore.open(pgDatabase(pool), options.schema);
    }
    default: {
      const unknownKind: never = options;
      throw new Error(`unknown read store kind: ${JSON.stringify(unknownKind)}`);
    }
  }
}
