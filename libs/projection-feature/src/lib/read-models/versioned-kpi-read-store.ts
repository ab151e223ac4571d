import { SqlKpiReadStore, type SqlDatabase } from '@cdt/read-store';
import { KpiVersions } from './kpi-versions';
import { POINTER_TTL_MS, PointedKpiReadStore } from './live-kpi-read-store';

export { POINTER_TTL_MS } from './live-kpi-read-store';

/**
 * The KPI read store as the query side sees it: every call goes to the version the live pointer
 * (`kpi_meta.active`) names, so a rebuild's switch reaches running servers within POINTER_TTL_MS
 * without a restart. It owns the database connection; the per-version stores share it.
 */
export class VersionedKpiReadStore extends PointedKpiReadStore<SqlKpiReadStore> {
  private constructor(
    readonly db: SqlDatabase,
    override readonly versions: KpiVersions,
    ttlMs: number,
  ) {
    super(versions, ttlMs);
  }

  static async open(db: SqlDatabase, ttlMs = POINTER_TTL_MS): Promise<VersionedKpiReadStore> {
    const versions = new KpiVersions(db);
    await versions.ensure();
    const store = new VersionedKpiReadStore(db, versions, ttlMs);
    await store.live();
    return store;
  }

  protected openVersion(schema: string): Promise<SqlKpiReadStore> {
    return SqlKpiReadStore.open(this.db, schema);
  }

  protected closeConnection(): Promise<void> {
    return this.db.close();
  }
}
