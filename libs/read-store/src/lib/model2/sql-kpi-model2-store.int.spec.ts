import { Pool } from 'pg';
import { loadPglite } from '@cdt/event-store';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
// The adapter's own spec runs the shared model-2 contract suite; only test code crosses this boundary.
import { kpiModel2StoreContract } from '../../contract';
import { pgDatabase, pgliteDatabase, type SqlDatabase } from '../sql-database';
import { SqlKpiModel2Store } from './sql-kpi-model2-store';

/**
 * The SQL store of KPI model 2 on PGlite and PostgreSQL runs the model-2 store contract (answers of the
 * in-memory model 2 on random logs, refusals, the cases random logs found), each store in a schema of its
 * own in one database per engine. Nothing in it is SQL-only: the pipeline's overlay is the pipeline's, so
 * it is in the contract too. Called in a describe: one database for the engine, a fresh schema per store.
 */
function sqlModel2Contract(engine: string, numRuns: number, open: () => Promise<{ db: SqlDatabase; cleanup: () => Promise<void> }>): void {
  let db: SqlDatabase;
  let cleanup: () => Promise<void>;
  let schemas = 0;

  beforeAll(async () => ({ db, cleanup } = await open()));
  afterAll(() => cleanup());

  kpiModel2StoreContract(engine, {
    open: async () => {
      const schema = `kpi2_t${++schemas}`;
      // close() would close the shared database: a store's cleanup drops its schema instead.
      return { store: await SqlKpiModel2Store.open(db, schema), cleanup: () => db.exec(`DROP SCHEMA ${schema} CASCADE`) };
    },
    numRuns,
    maxOps: 50,
  });
}

// Each run answers ~1,000 queries through the engine: a few runs per engine, many logs across CI runs.
describe('KPI model 2 SQL store on PGlite', () => {
  sqlModel2Contract('PGlite', 8, async () => {
    const db = pgliteDatabase(await loadPglite().create());
    return { db, cleanup: () => db.close() };
  });
});

describeWithEngine('postgres', 'KPI model 2 SQL store on PostgreSQL', () => {
  sqlModel2Contract('PostgreSQL', 4, async () => {
    const database = await freshPostgresDatabase();
    const db = pgDatabase(new Pool({ connectionString: database.adminUrl, max: 2 }));
    return {
      db,
      cleanup: async () => {
        await db.close();
        await database.drop();
      },
    };
  });
});
