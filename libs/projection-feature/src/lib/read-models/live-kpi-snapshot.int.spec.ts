import { describeWithEngine, freshMongoDatabase } from '@cdt/testing';
import type { KpiModel } from './kpi-model';
import type { LiveKpiReadStore } from './live-kpi-read-store';
import { MongoVersionedKpiReadStore } from './mongo-versioned-kpi-read-store';
import { openReadModelDatabase } from './read-model-database';
import { VersionedKpiReadStore } from './versioned-kpi-read-store';

/**
 * The live pointer forwards `snapshot` (KpiQueryStore) to the live version's store when the engine's
 * stores take snapshots: the query side then reads every answer in one snapshot of the version it points at.
 */
describe.each<KpiModel>([1, 2])('the live KPI model on PGlite, model %i: snapshots', (model) => {
  it('reads through the live version\'s snapshot view, on the one PGlite connection, with the checkpoint read in it', async () => {
    const readStore = await VersionedKpiReadStore.open(await openReadModelDatabase({ kind: 'memory' }), { firstModel: model });
    try {
      expect(readStore.snapshot).toBeDefined();
      const read = await readStore.snapshot?.(async (view) => {
        expect(view).not.toBe(readStore);
        return view.figures('as-recorded', 'nation', ['VN'], '2024');
      });
      expect(read).toEqual({ result: [{ unitKey: 'VN', values: {}, targets: {} }], checkpoint: undefined });
      // The connection is free again: a query outside a snapshot answers.
      expect(await readStore.checkpoint()).toBeUndefined();
    } finally {
      await readStore.close();
    }
  });
});

describeWithEngine('mongo', 'the live KPI model on MongoDB: no snapshot', () => {
  it('has no snapshot, so answers are checked by reading the checkpoint before and after', async () => {
    const database = await freshMongoDatabase();
    // As the query side holds it: a LiveKpiReadStore, whose snapshot is optional.
    const readStore: LiveKpiReadStore = await MongoVersionedKpiReadStore.connect(database.url);
    try {
      expect(readStore.snapshot).toBeUndefined();
    } finally {
      await readStore.close();
      await database.drop();
    }
  });
});
