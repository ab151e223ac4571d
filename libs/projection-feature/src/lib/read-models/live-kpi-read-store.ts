import type { Checkpoint } from '@cdt/event-store';
import type { KpiDeltas, Level, TeamContributions, TeamRecord, UnitFigures, View } from '@cdt/domain-kpi';
import type { FiguresUnder, FiguresUnderQuery, KpiReadStore } from '@cdt/read-store';
import type { ModelVersion } from './kpi-versions';

/** How long a looked-up live pointer is trusted; a rebuild waits well past it before dropping the old version. */
export const POINTER_TTL_MS = 500;

/**
 * The versions of the KPI read model and the live pointer, whatever the engine: `KpiVersions`
 * (PostgreSQL/PGlite, `kpi_meta` schema) and `MongoKpiVersions` (MongoDB, `kpi_meta.versions`).
 */
export interface KpiModelVersions {
  /** The version queries and the live runner use now. */
  active(): Promise<string>;
  list(): Promise<ModelVersion[]>;
  /** The version a rebuild writes: the interrupted one to resume, else a new `kpi_v<n+1>`; refuses while another rebuild is alive. */
  startBuild(now?: Date): Promise<{ schema: string; resumed: boolean }>;
  heartbeat(schema: string, now?: Date): Promise<void>;
  /** Gives up the build lease at once (an interrupted rebuild). */
  release(schema: string): Promise<void>;
  /** Flips the live pointer to `schema` atomically; returns the version it replaced. */
  switchTo(schema: string): Promise<string>;
  /** Drops every retired version; returns what it dropped. */
  dropRetired(): Promise<string[]>;
}

/**
 * The live, versioned KPI model as the runner, a rebuild and the query side use it: every KpiReadStore
 * call goes to the live version; `version(schema)` opens any version (a rebuild writes one beside the
 * live one). Implemented by `VersionedKpiReadStore` (SQL) and `MongoVersionedKpiReadStore` (MongoDB).
 */
export interface LiveKpiReadStore extends KpiReadStore {
  readonly versions: KpiModelVersions;
  /** The schema of the live version (cached for POINTER_TTL_MS). */
  activeSchema(): Promise<string>;
  version(schema: string): Promise<KpiReadStore>;
  /** Forgets a version's store (after it was dropped), and the cached pointer. */
  forget(schema: string): void;
}

/**
 * The engine-independent half of a LiveKpiReadStore: the live pointer cached for the TTL, one store per
 * version opened once, and every KpiReadStore call sent to the live version, so a rebuild's switch
 * reaches running servers within POINTER_TTL_MS without a restart. An engine supplies how to open a
 * version's store and how to close the connection they share.
 */
export abstract class PointedKpiReadStore<Store extends KpiReadStore> implements LiveKpiReadStore {
  private readonly stores = new Map<string, Promise<Store>>();
  private pointer?: { schema: string; readAt: number };

  protected constructor(
    readonly versions: KpiModelVersions,
    private readonly ttlMs: number,
  ) {}

  protected abstract openVersion(schema: string): Promise<Store>;
  protected abstract closeConnection(): Promise<void>;

  /** The schema of the live version (cached for the TTL). */
  async activeSchema(): Promise<string> {
    const now = Date.now();
    if (this.pointer && now - this.pointer.readAt < this.ttlMs) return this.pointer.schema;
    const schema = await this.versions.active();
    this.pointer = { schema, readAt: now };
    return schema;
  }

  /** The store of one version, opened once (its tables or indexes created when missing). */
  version(schema: string): Promise<Store> {
    let store = this.stores.get(schema);
    if (!store) {
      store = this.openVersion(schema);
      store.catch(() => this.stores.delete(schema));
      this.stores.set(schema, store);
    }
    return store;
  }

  forget(schema: string): void {
    this.stores.delete(schema);
    this.pointer = undefined;
  }

  async live(): Promise<Store> {
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
    return this.closeConnection();
  }
}
