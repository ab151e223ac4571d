import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import { kpiReadStoreContract } from '../contract';
import { openKpiReadStore } from './open-kpi-read-store';

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
});
