import type { Checkpoint } from '@cdt/event-store';
import type { KpiDeltas, Level, TeamContributions, TeamRecord, UnitFigures, View } from '@cdt/domain-kpi';
import { connectMongoDatabase, MongoKpiReadStore, type FiguresUnder, type FiguresUnderQuery, type MongoDatabase } from '@cdt/read-store';
import type { LiveKpiReadStore } from './live-kpi-read-store';
import { MongoKpiVersions } from './mongo-kpi-versions';
import { POINTER_TTL_MS } from './versioned-kpi-read-store';

/**
 * `VersionedKpiReadStore` on MongoDB (cluster mode): the same live pointer and versions, kept in
 * `kpi_meta.versions`; each version is a `MongoKpiReadStore` over the collections `<schema>.*`. It has no
 * `db`: SQL-only features (`cdt projections verify`, the tests' model dump) take a VersionedKpiReadStore.
 */
export class MongoVersionedKpiReadStore implements LiveKpiReadStore {
  private readonly stores = new Map<string, Promise<MongoKpiReadStore>>();
  private pointer?: { schema: string; readAt: number };

  private constructor(
    private readonly database: MongoDatabase,
    readonly versions: MongoKpiVersions,
    private readonly ttlMs: number,
  ) {}

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

  async activeSchema(): Promise<string> {
    const now = Date.now();
    if (this.pointer && now - this.pointer.readAt < this.ttlMs) return this.pointer.schema;
    const schema = await this.versions.active();
    this.pointer = { schema, readAt: now };
    return schema;
  }

  /** The store of one version (indexes created, an interrupted batch completed from its journal). */
  version(schema: string): Promise<MongoKpiReadStore> {
    let store = this.stores.get(schema);
    if (!store) {
      store = MongoKpiReadStore.open(this.database.db, { schema });
      store.catch(() => this.stores.delete(schema));
      this.stores.set(schema, store);
    }
    return store;
  }

  forget(schema: string): void {
    this.stores.delete(schema);
    this.pointer = undefined;
  }

  async live(): Promise<MongoKpiReadStore> {
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
    return this.database.close();
  }
}
