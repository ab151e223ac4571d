import { connectMongoDatabase, MongoKpiReadStore, type MongoDatabase } from '@cdt/read-store';
import { POINTER_TTL_MS, PointedKpiReadStore } from './live-kpi-read-store';
import { MongoKpiVersions } from './mongo-kpi-versions';

/**
 * `VersionedKpiReadStore` on MongoDB (cluster mode): the same live pointer and versions, kept in
 * `kpi_meta.versions`; each version is a `MongoKpiReadStore` over the collections `<schema>.*`. It has no
 * `db`: SQL-only features (`cdt projections verify`, the tests' model dump) take a VersionedKpiReadStore.
 */
export class MongoVersionedKpiReadStore extends PointedKpiReadStore<MongoKpiReadStore> {
  private constructor(
    private readonly database: MongoDatabase,
    override readonly versions: MongoKpiVersions,
    ttlMs: number,
  ) {
    super(versions, ttlMs);
  }

  /** Connects to `url` (`mongodb://host:port/<database>`); the connection is shared by every version. */
  static async connect(url: string, options: { poolSize?: number; ttlMs?: number } = {}): Promise<MongoVersionedKpiReadStore> {
    const database = await connectMongoDatabase(url, { poolSize: options.poolSize, appName: 'cdt-projection' });
    return MongoVersionedKpiReadStore.open(database, options.ttlMs).catch(async (error: unknown) => {
      await database.close();
      throw error;
    });
  }

  static async open(database: MongoDatabase, ttlMs = POINTER_TTL_MS): Promise<MongoVersionedKpiReadStore> {
    const versions = new MongoKpiVersions(database.db);
    await versions.ensure();
    const store = new MongoVersionedKpiReadStore(database, versions, ttlMs);
    await store.live();
    return store;
  }

  /** A version's store: indexes created, an interrupted batch completed from its journal. */
  protected openVersion(schema: string): Promise<MongoKpiReadStore> {
    return MongoKpiReadStore.open(this.database.db, { schema });
  }

  protected closeConnection(): Promise<void> {
    return this.database.close();
  }
}
