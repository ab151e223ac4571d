import type { KpiReadStore } from '@cdt/read-store';
import type { ModelVersion } from './kpi-versions';

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
