import type { Checkpoint } from '@cdt/event-store';
import type { KpiDeltas, Level, TeamContributions, TeamRecord, UnitFigures, View } from '@cdt/domain-kpi';
import { SqlKpiReadStore, type FiguresUnder, type FiguresUnderQuery, type SqlDatabase } from '@cdt/read-store';
import { KpiVersions } from './kpi-versions';
import type { LiveKpiReadStore } from './live-kpi-read-store';

/** How long a looked-up live pointer is trusted; a rebuild waits well past it before dropping the old version. */
export const POINTER_TTL_MS = 500;

/**
 * The KPI read store as the query side sees it: every call goes to the version the live pointer
 * (`kpi_meta.active`) names, so a rebuild's switch reaches running servers within POINTER_TTL_MS
 * without a restart. It owns the database connection; the per-version stores share it.
 */
export class VersionedKpiReadStore implements LiveKpiReadStore {
  private readonly stores = new Map<string, Promise<SqlKpiReadStore>>();
  private pointer?: { schema: string; readAt: number };

  private constructor(
    readonly db: SqlDatabase,
    readonly versions: KpiVersions,
    private readonly ttlMs: number,
  ) {}

  static async open(db: SqlDatabase, ttlMs = POINTER_TTL_MS): Promise<VersionedKpiReadStore> {
    const versions = new KpiVersions(db);
    await versions.ensure();
    const store = new VersionedKpiReadStore(db, versions, ttlMs);
    await store.live();
    return store;
  }

  /** The schema of the live version (cached for the TTL). */
  async activeSchema(): Promise<string> {
    const now = Date.now();
    if (this.pointer && now - this.pointer.readAt < this.ttlMs) return this.pointer.schema;
    const schema = await this.versions.active();
    this.pointer = { schema, readAt: now };
    return schema;
  }

  /** The store of one version (its tables are created when missing). */
  version(schema: string): Promise<SqlKpiReadStore> {
    let store = this.stores.get(schema);
    if (!store) {
      store = SqlKpiReadStore.open(this.db, schema);
      store.catch(() => this.stores.delete(schema));
      this.stores.set(schema, store);
    }
    return store;
  }

  /** Forgets a version's store (after it was dropped), and the cached pointer. */
  forget(schema: string): void {
    this.stores.delete(schema);
    this.pointer = undefined;
  }

  async live(): Promise<SqlKpiReadStore> {
    return this.version(await this.activeSchema());
  }

  async checkpoint(): Promise<Checkpoint | undefined> {
    return (await this.live()).checkpoint();
  }

  async applyBatch(deltas: KpiDeltas, checkpoint: Checkpoint): Promise<boolean> {
    return (await this.live()).applyBatch(deltas, checkpoint);
  }

  async appliedAmong(eventIds: readonly string[]): Promise<Set<string>> {
    return (await this.live()).appliedAmong(eventIds);
  }

  async teams(): Promise<TeamRecord[]> {
    return (await this.live()).teams();
  }

  async contributionsOf(teamId: string): Promise<TeamContributions> {
    return (await this.live()).contributionsOf(teamId);
  }

  async figures(view: View, level: Level, unitKeys: readonly string[], period: string): Promise<UnitFigures[]> {
    return (await this.live()).figures(view, level, unitKeys, period);
  }

  async children(view: View, level: Level, unitKey: string, childLevel: Level, period: string): Promise<string[]> {
    return (await this.live()).children(view, level, unitKey, childLevel, period);
  }

  async figuresUnder(query: FiguresUnderQuery): Promise<FiguresUnder> {
    return (await this.live()).figuresUnder(query);
  }

  async health(): Promise<void> {
    await (await this.live()).health();
  }

  /** Closes the shared connection (the per-version stores hold no other). */
  close(): Promise<void> {
    this.stores.clear();
    return this.db.close();
  }
}
