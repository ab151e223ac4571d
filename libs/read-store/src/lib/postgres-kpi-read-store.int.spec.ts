import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import { Client, Pool } from 'pg';
import { kpiReadStoreContract } from '../contract';
import { openKpiReadStore } from './open-kpi-read-store';
import { pgDatabase } from './sql-database';

describeWithEngine('postgres', 'KPI read store on PostgreSQL', () => {
  kpiReadStoreContract('PostgreSQL', async () => {
    const database = await freshPostgresDatabase();
    // The owner creates the schema; the model is the projection's own, so it writes as the owner too.
    const store = await openKpiReadStore({ kind: 'postgres', url: database.adminUrl, poolSize: 4 });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await database.drop();
      },
    };
  });

  it('survives the server ending an idle pooled connection: the pool replaces it', async () => {
    const database = await freshPostgresDatabase();
    const lost: Error[] = [];
    const db = pgDatabase(new Pool({ connectionString: database.adminUrl, max: 2, application_name: 'cdt-lost-test' }), (error) => lost.push(error));
    try {
      await db.query('select 1');
      const admin = new Client({ connectionString: database.adminUrl });
      await admin.connect();
      await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'cdt-lost-test' and state = 'idle'");
      await admin.end();
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect(lost).toHaveLength(1);
      expect(await db.query<{ one: number }>('select 1 as one')).toEqual({ rows: [{ one: 1 }] });
    } finally {
      await db.close();
      await database.drop();
    }
  });
});
