import { mkdirSync } from 'node:fs';
import { loadPglite } from '@cdt/event-store';
import { createConnection } from 'mongoose';
import { Pool } from 'pg';
import { MongoKpiReadStore } from './mongo/mongo-kpi-read-store';
import type { KpiReadStore } from './read-store.port';
import { pgDatabase, pgliteDatabase } from './sql-database';
import { SqlKpiReadStore } from './sql-kpi-read-store';

export type KpiReadStoreOptions = (
  | { kind: 'memory' }
  /** PGlite files under `dataDir` (its own directory, not the event store's). */
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'postgres'; url: string; poolSize?: number }
  /** A MongoDB database (`mongodb://host/db`); no transactions needed (see ADR 0004, "MongoDB"). */
  | { kind: 'mongo'; url: string; poolSize?: number }
) & {
  /** Schema of the model version (default `kpi_v1`; on MongoDB a collection prefix): a rebuild writes a new one alongside. */
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
    case 'mongo': {
      const connection = await createConnection(options.url, { maxPoolSize: options.poolSize ?? 10, appName: 'cdt-read-store' }).asPromise();
      const close = () => connection.close();
      if (!connection.db) {
        await close();
        throw new Error('the MongoDB connection has no database');
      }
      return MongoKpiReadStore.open(connection.db, { schema: options.schema, onClose: close }).catch(async (error: unknown) => {
        await close();
        throw error;
      });
    }
    default: {
      const unknownKind: never = options;
      throw new Error(`unknown read store kind: ${JSON.stringify(unknownKind)}`);
    }
  }
}
