import { connectMongoDatabase, MongoKpiModel2Store, MongoKpiReadStore, type MongoDatabase } from '@cdt/read-store';
import { DEFAULT_KPI_MODEL, type KpiModel } from './kpi-model';
import { POINTER_TTL_MS, PointedKpiReadStore } from './live-kpi-read-store';
import { MongoKpiVersions } from './mongo-kpi-versions';

/**
 * `VersionedKpiReadStore` on MongoDB (cluster mode): the same live pointer and versions, kept in
 * `kpi_meta.versions`; each version is a `MongoKpiReadStore` (model 1) or a `MongoKpiModel2Store` (model 2)
 * over the collections `<schema>.*`. It has no
 * `db`: SQL-only features (`cdt projections verify`, the tests' model dump) take a VersionedKpiReadStore.
 */
export class MongoVersionedKpiReadStore extends PointedKpiReadStore<MongoKpiReadStore, MongoKpiModel2Store> {
  private constructor(
    private readonly database: MongoDatabase,
    override readonly versions: MongoKpiVersions,
    ttlMs: number,
  ) {
    super(versions, ttlMs);
  }

  /** Connects to `url` (`mongodb://host:port/<database>`); the connection is shared by every version. */
  static async connect(url: string, options: { poolSize?: number; ttlMs?: number; firstModel?: KpiModel } = {}): Promise<MongoVersionedKpiReadStore> {
    const database = await connectMongoDatabase(url, { poolSize: options.poolSize, appName: 'cdt-projection' });
    return MongoVersionedKpiReadStore.open(database, options).catch(async (error: unknown) => {
      await database.close();
      throw error;
    });
  }

  /** `firstModel`: the model a fresh database's first version holds (CDT_KPI_MODEL); a database that has versions keeps them. */
  static async open(database: MongoDatabase, options: { ttlMs?: number; firstModel?: KpiModel } = {}): Promise<MongoVersionedKpiReadStore> {
    const { ttlMs = POINTER_TTL_MS, firstModel = DEFAULT_KPI_MODEL } = options;
    const versions = new MongoKpiVersions(database.db);
    await versions.ensure(firstModel);
    const store = new MongoVersionedKpiReadStore(database, versions, ttlMs);
    await store.live();
    return store;
  }

  /** A version's store: indexes created, an interrupted batch completed from its journal. */
  protected openModel1(schema: string): Promise<MongoKpiReadStore> {
    return MongoKpiReadStore.open(this.database.db, { schema });
  }

  /** A model-2 version's store: indexes created, an interrupted batch completed from its journal. */
  protected openModel2(schema: string): Promise<MongoKpiModel2Store> {
    return MongoKpiModel2Store.open(this.database.db, { schema });
  }

  protected closeConnection(): Promise<void> {
    return this.database.close();
  }
}
