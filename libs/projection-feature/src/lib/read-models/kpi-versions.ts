import type { SqlClient, SqlDatabase } from '@cdt/read-store';

/** The version every fresh database starts with (the read store's default schema). */
export const FIRST_VERSION = 'kpi_v1';
const VERSION_NAME = /^kpi_v(\d+)$/;
/** A build whose heartbeat is older than this is taken as abandoned: another rebuild may resume it. */
export const BUILD_LEASE_MS = 30_000;

export type VersionStatus = 'building' | 'live' | 'retired';

export interface ModelVersion {
  schema: string;
  status: VersionStatus;
  createdAt: string;
  heartbeatAt: string;
}

const META_SQL = [
  'create schema if not exists kpi_meta',
  `create table if not exists kpi_meta.versions (
     schema       text primary key,
     status       text not null check (status in ('building', 'live', 'retired')),
     created_at   timestamptz not null default now(),
     heartbeat_at timestamptz not null default now()
   )`,
  // The live pointer: the query side and the runner read it; a rebuild flips it in one statement.
  `create table if not exists kpi_meta.active (
     id          boolean primary key default true check (id),
     schema      text not null,
     switched_at timestamptz not null default now()
   )`,
  `insert into kpi_meta.active (schema) values ('${FIRST_VERSION}') on conflict (id) do nothing`,
  `insert into kpi_meta.versions (schema, status) select schema, 'live' from kpi_meta.active on conflict (schema) do nothing`,
];

/**
 * The versions of the KPI read model in one database and which one is live. A rebuild builds a new
 * schema alongside the live one, switches the pointer when caught up, then drops the old schema.
 */
export class KpiVersions {
  constructor(private readonly db: SqlDatabase) {}

  async ensure(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(7431003)');
      for (const statement of META_SQL) await tx.query(statement);
    });
  }

  /** The schema queries and the live runner use now. */
  async active(client: SqlClient = this.db): Promise<string> {
    const { rows } = await client.query<{ schema: string }>('select schema from kpi_meta.active');
    if (!rows[0]) throw new Error('kpi_meta.active is empty: KpiVersions.ensure() was not run');
    return rows[0].schema;
  }

  async list(): Promise<ModelVersion[]> {
    const { rows } = await this.db.query<{ schema: string; status: VersionStatus; created_at: Date | string; heartbeat_at: Date | string }>(
      'select schema, status, created_at, heartbeat_at from kpi_meta.versions order by created_at',
    );
    return rows.map((r) => ({ schema: r.schema, status: r.status, createdAt: new Date(r.created_at).toISOString(), heartbeatAt: new Date(r.heartbeat_at).toISOString() }));
  }

  /**
   * The version a rebuild writes: the unfinished one when an earlier rebuild was interrupted (it resumes
   * from that version's own checkpoint), else a new `kpi_v<n+1>`. Refuses while another rebuild is
   * alive (its heartbeat is recent).
   */
  async startBuild(now: Date = new Date()): Promise<{ schema: string; resumed: boolean }> {
    return this.db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(7431003)');
      const { rows } = await tx.query<{ schema: string; heartbeat_at: Date | string }>(`select schema, heartbeat_at from kpi_meta.versions where status = 'building'`);
      const building = rows[0];
      if (building) {
        const age = now.getTime() - new Date(building.heartbeat_at).getTime();
        if (age < BUILD_LEASE_MS) throw new Error(`a rebuild of ${building.schema} is running (heartbeat ${Math.round(age / 1000)} s ago); wait for it or retry in ${Math.ceil((BUILD_LEASE_MS - age) / 1000)} s`);
        await tx.query('update kpi_meta.versions set heartbeat_at = $2::timestamptz where schema = $1', [building.schema, now.toISOString()]);
        return { schema: building.schema, resumed: true };
      }
      const names = await tx.query<{ name: string }>(
        `select schema as name from kpi_meta.versions union select nspname from pg_namespace where nspname like 'kpi\\_v%'`,
      );
      const highest = Math.max(0, ...names.rows.map((r) => Number(VERSION_NAME.exec(r.name)?.[1] ?? 0)));
      const schema = `kpi_v${highest + 1}`;
      await tx.query(`insert into kpi_meta.versions (schema, status, heartbeat_at) values ($1, 'building', $2::timestamptz)`, [schema, now.toISOString()]);
      return { schema, resumed: false };
    });
  }

  async heartbeat(schema: string, now: Date = new Date()): Promise<void> {
    await this.db.query(`update kpi_meta.versions set heartbeat_at = $2::timestamptz where schema = $1 and status = 'building'`, [schema, now.toISOString()]);
  }

  /** Gives up the build lease at once (an interrupted rebuild), so the next rebuild resumes without waiting. */
  async release(schema: string): Promise<void> {
    await this.db.query(`update kpi_meta.versions set heartbeat_at = 'epoch' where schema = $1 and status = 'building'`, [schema]);
  }

  /** Flips the live pointer to `schema` in one transaction; returns the version it replaced. */
  async switchTo(schema: string): Promise<string> {
    return this.db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(7431003)');
      const { rows } = await tx.query<{ schema: string }>('select schema from kpi_meta.active for update');
      const previous = rows[0]?.schema;
      if (previous === undefined) throw new Error('kpi_meta.active is empty');
      if (previous === schema) return previous;
      await tx.query('update kpi_meta.active set schema = $1, switched_at = now()', [schema]);
      await tx.query(`update kpi_meta.versions set status = 'retired' where schema = $1`, [previous]);
      await tx.query(`update kpi_meta.versions set status = 'live' where schema = $1`, [schema]);
      return previous;
    });
  }

  /** Drops every retired version's schema (after the switch's grace period). Returns what it dropped. */
  async dropRetired(): Promise<string[]> {
    const { rows } = await this.db.query<{ schema: string }>(`select schema from kpi_meta.versions where status = 'retired'`);
    for (const { schema } of rows) {
      if (!VERSION_NAME.test(schema)) throw new Error(`refusing to drop ${schema}: not a KPI model version`);
      await this.db.transaction(async (tx) => {
        await tx.query(`drop schema if exists ${schema} cascade`);
        await tx.query('delete from kpi_meta.versions where schema = $1', [schema]);
      });
    }
    return rows.map((r) => r.schema);
  }
}
