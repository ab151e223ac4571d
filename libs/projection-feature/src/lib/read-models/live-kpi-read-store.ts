import type { Checkpoint } from '@cdt/event-store';
import type { Level, UnitFigures, View } from '@cdt/domain-kpi';
import type { FiguresUnder, FiguresUnderQuery, KpiModel2Store, KpiQueryStore, KpiReadStore, KpiSnapshot } from '@cdt/read-store';
import type { KpiModel, KpiVersionStore } from './kpi-model';
import type { ModelVersion, VersionBuild } from './kpi-versions';

/** How long a looked-up live pointer is trusted; a rebuild waits well past it before dropping the old version. */
export const POINTER_TTL_MS = 500;

/**
 * The versions of the KPI read model and the live pointer, whatever the engine: `KpiVersions`
 * (PostgreSQL/PGlite, `kpi_meta` schema) and `MongoKpiVersions` (MongoDB, `kpi_meta.versions`).
 * Each version records the model it holds (ADR 0010, "model per version").
 */
export interface KpiModelVersions {
  /** The version queries and the live runner use now. */
  active(): Promise<string>;
  /** The model a version holds; undefined for a schema not recorded as a version (a test's reference). */
  modelOf(schema: string): Promise<KpiModel | undefined>;
  list(): Promise<ModelVersion[]>;
  /**
   * The version a rebuild writes: the interrupted one to resume (when it holds `model`, or no model is
   * asked), else a new `kpi_v<n+1>` holding `model` (default: the live version's); refuses while another
   * rebuild is alive.
   */
  startBuild(now?: Date, model?: KpiModel): Promise<VersionBuild>;
  heartbeat(schema: string, now?: Date): Promise<void>;
  /** Gives up the build lease at once (an interrupted rebuild). */
  release(schema: string): Promise<void>;
  /** Flips the live pointer to `schema` atomically; returns the version it replaced. */
  switchTo(schema: string): Promise<string>;
  /** Drops every retired version; returns what it dropped. */
  dropRetired(): Promise<string[]>;
}

/**
 * The live, versioned KPI model as the runner, a rebuild and the query side use it: every query goes to
 * the live version, whatever its model; `version(schema)` opens any version with the store of the model
 * it holds (a rebuild writes one beside the live one). Implemented by `VersionedKpiReadStore` (SQL) and
 * `MongoVersionedKpiReadStore` (MongoDB).
 */
export interface LiveKpiReadStore extends KpiQueryStore {
  readonly versions: KpiModelVersions;
  /** The schema of the live version (cached for POINTER_TTL_MS). */
  activeSchema(): Promise<string>;
  version(schema: string): Promise<KpiVersionStore>;
  /** Forgets a version's store (after it was dropped), and the cached pointer. */
  forget(schema: string): void;
  close(): Promise<void>;
}

/**
 * The engine-independent half of a LiveKpiReadStore: the live pointer cached for the TTL, one store per
 * version opened once with its model's store, and every query sent to the live version, so a rebuild's
 * switch (to the same model or the other one) reaches running servers within POINTER_TTL_MS without a
 * restart. An engine supplies how to open a version's store of each model and how to close the
 * connection they share.
 */
export abstract class PointedKpiReadStore<Model1 extends KpiReadStore, Model2 extends KpiModel2Store> implements LiveKpiReadStore {
  private readonly stores = new Map<string, Promise<KpiVersionStore<Model1, Model2>>>();
  private pointer?: { schema: string; readAt: number };

  protected constructor(
    readonly versions: KpiModelVersions,
    private readonly ttlMs: number,
  ) {}

  protected abstract openModel1(schema: string): Promise<Model1>;
  protected abstract openModel2(schema: string): Promise<Model2>;
  protected abstract closeConnection(): Promise<void>;

  /** The schema of the live version (cached for the TTL). */
  async activeSchema(): Promise<string> {
    const now = Date.now();
    if (this.pointer && now - this.pointer.readAt < this.ttlMs) return this.pointer.schema;
    const schema = await this.versions.active();
    this.pointer = { schema, readAt: now };
    return schema;
  }

  /**
   * The store of one version, opened once (its tables or indexes created when missing) as the model the
   * version records; a schema not recorded as a version (a test's from-scratch reference) opens as model 1.
   */
  version(schema: string): Promise<KpiVersionStore<Model1, Model2>> {
    let store = this.stores.get(schema);
    if (!store) {
      store = this.open(schema);
      store.catch(() => this.stores.delete(schema));
      this.stores.set(schema, store);
    }
    return store;
  }

  private async open(schema: string): Promise<KpiVersionStore<Model1, Model2>> {
    const model = (await this.versions.modelOf(schema)) ?? 1;
    return model === 1 ? { model, store: await this.openModel1(schema) } : { model, store: await this.openModel2(schema) };
  }

  forget(schema: string): void {
    this.stores.delete(schema);
    this.pointer = undefined;
  }

  /** The live version's store (its model's), for the queries. */
  async live(): Promise<KpiQueryStore> {
    const { store } = await this.version(await this.activeSchema());
    return store;
  }

  /**
   * `read` in one snapshot of the live version (KpiQueryStore.snapshot), for an engine whose stores take
   * snapshots (SQL: both models) to offer as its `snapshot`; MongoDB's take none and offer none.
   */
  protected readonly liveSnapshot = async <T>(read: (store: KpiQueryStore) => Promise<T>): Promise<KpiSnapshot<T>> => {
    const live = await this.live();
    if (!live.snapshot) throw new Error(`the live KPI version (${await this.activeSchema()}) takes no snapshot`);
    return live.snapshot(read);
  };

  async checkpoint(): Promise<Checkpoint | undefined> {
    return (await this.live()).checkpoint();
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
