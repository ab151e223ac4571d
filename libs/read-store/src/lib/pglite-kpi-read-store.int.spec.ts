import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The adapter's own specs run the shared contract suite; only test code crosses this boundary.
import { kpiReadStoreContract } from '../contract';
import { openKpiReadStore } from './open-kpi-read-store';

kpiReadStoreContract('PGlite in memory', async () => {
  const store = await openKpiReadStore({ kind: 'memory' });
  return { store, cleanup: () => store.close() };
});

kpiReadStoreContract('PGlite on disk', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cdt-kpi-'));
  const store = await openKpiReadStore({ kind: 'embedded', dataDir });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
