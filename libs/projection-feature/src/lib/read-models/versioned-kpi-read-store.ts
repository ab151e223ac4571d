import { SqlKpiModel2Store, SqlKpiReadStore, type SqlDatabase } from '@cdt/read-store';
import { DEFAULT_KPI_MODEL, type KpiModel } from './kpi-model';
import { KpiVersions } from './kpi-versions';
import { POINTER_TTL_MS, PointedKpiReadStore } from './live-kpi-read-store';

export { POINTER_TTL_MS } from './live-kpi-read-store';

/**
 * The KPI read store as the query side sees it: every call goes to the version the live pointer
 * (`kpi_meta.active`) names, so a rebuild's switch reaches running servers within POINTER_TTL_MS
 * without a restart. Each version opens as the store of the model it holds (`SqlKpiReadStore` for model 1,
 * `SqlKpiModel2Store` for model 2). It owns the database connection; the per-version stores share it.
 */
export class VersionedKpiReadStore extends PointedKpiReadStore<SqlKpiReadStore, SqlKpiModel2Store> {
  private constructor(
    readonly db: SqlDatabase,
    override readonly versions: KpiVersions,
    ttlMs: number,
  ) {
    super(versions, ttlMs);
  }

  /** Every answer of the live version read in one snapshot (both SQL models take them). */
  readonly snapshot = this.liveSnapshot;

  /** `firstModel`: the model a fresh database's first version holds (CDT_KPI_MODEL); a database that has versions keeps them. */
  static async open(db: SqlDatabase, options: { ttlMs?: number; firstModel?: KpiModel } = {}): Promise<VersionedKpiReadStore> {
    const { ttlMs = POINTER_TTL_MS, firstModel = DEFAULT_KPI_MODEL } = options;
    const versions = new KpiVersions(db);
    await versions.ensure(firstModel);
    const store = new VersionedKpiReadStore(db, versions, ttlMs);
    await store.live();
    return store;
  }

  protected openModel1(schema: string): Promise<SqlKpiReadStore> {
    return SqlKpiReadStore.open(this.db, schema);
  }

  protected openModel2(schema: string): Promise<SqlKpiModel2Store> {
    return SqlKpiModel2Store.open(this.db, schema);
  }

  protected closeConnection(): Promise<void> {
    return this.db.close();
  }
}
