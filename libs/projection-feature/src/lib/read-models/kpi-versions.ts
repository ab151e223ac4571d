import type { SqlClient, SqlDatabase } from '@cdt/read-store';
import { DEFAULT_KPI_MODEL, KPI_MODELS, type KpiModel } from './kpi-model';

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
  /** The KPI model the version holds (ADR 0010); versions recorded before models were told apart hold model 1. */
  model: KpiModel;
}

/** What `startBuild` hands a rebuild: the version to write, whether it resumes an interrupted build, and its model. */
export interface VersionBuild {
  schema: string;
  resumed: boolean;
  model: KpiModel;
}

export const kpiModelOf = (raw: unknown): KpiModel => {
  const model = KPI_MODELS.find((m) => m === Number(raw));
  if (model === undefined) throw new Error(`kpi_meta.versions holds an unknown KPI model ${JSON.stringify(raw)}`);
  return model;
};

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
  // Added with model 2: databases created before keep working, their versions hold model 1.
  'alter table kpi_meta.versions add column if not exists model smallint not null default 1 check (model in (1, 2))',
  `insert into kpi_meta.active (schema) values ('${FIRST_VERSION}') on conflict (id) do nothing`,
];
/** The first version of a fresh database, with the model it starts with ($1); a database that has one keeps it. */
const FIRST_VERSION_SQL = `insert into kpi_meta.versions (schema, status, model) select schema, 'live', $1::smallint from kpi_meta.active on conflict (schema) do nothing`;

/**
 * The versions of the KPI read model in one database and which one is live. A rebuild builds a new
 * schema alongside the live one, switches the pointer when caught up, then drops the old schema.
 */
export class KpiVersions {
  constructor(private readonly db: SqlDatabase) {}

  /** Creates `kpi_meta` when missing; a fresh database's first version holds `firstModel`. */
  async ensure(firstModel: KpiModel = DEFAULT_KPI_MODEL): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(7431003)');
      for (const statement of META_SQL) await tx.query(statement);
      await tx.query(FIRST_VERSION_SQL, [firstModel]);
    });
  }

  /** The model a version holds; undefined for a schema kpi_meta does not record. */
  async modelOf(schema: string): Promise<KpiModel | undefined> {
    const { rows } = await this.db.query<{ model: number }>('select model from kpi_meta.versions where schema = $1', [schema]);
    return rows[0] ? kpiModelOf(rows[0].model) : undefined;
  }

  /** The schema queries and the live runner use now. */
  async active(client: SqlClient = this.db): Promise<string> {
    const { rows } = await client.query<{ schema: string }>('select schema from kpi_meta.active');
    if (!rows[0]) throw new Error('kpi_meta.active is empty: KpiVersions.ensure() was not run');
    return rows[0].schema;
  }

  async list(): Promise<ModelVersion[]> {
    const { rows } = await this.db.query<{ schema: string; status: VersionStatus; created_at: Date | string; heartbeat_at: Date | string; model: number }>(
      'select schema, status, created_at, heartbeat_at, model from kpi_meta.versions order by created_at',
    );
    return rows.map((r) => ({
      schema: r.schema,
      status: r.status,
      createdAt: new Date(r.created_at).toISOString(),
      heartbeatAt: new Date(r.heartbeat_at).toISOString(),
      model: kpiModelOf(r.model),
    }));
  }

  /**
   * The version a rebuild writes: the unfinished one when an earlier rebuild was interrupted (it resumes
   * from that version's own checkpoint), else a new `kpi_v<n+1>` holding `model` (default: the live
   * version's). An interrupted build of another model than the one asked is retired (dropped after the
   * next switch) and a new version started. Refuses while another rebuild is alive (its heartbeat is recent).
   */
  async startBuild(now: Date = new Date(), model?: KpiModel): Promise<VersionBuild> {
    return this.db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(7431003)');
      const { rows } = await tx.query<{ schema: string; heartbeat_at: Date | string; model: number }>(`select schema, heartbeat_at, model from kpi_meta.versions where status = 'building'`);
      const building = rows[0];
      if (building) {
        const age = now.getTime() - new Date(building.heartbeat_at).getTime();
        if (age < BUILD_LEASE_MS) throw new Error(`a rebuild of ${building.schema} is running (heartbeat ${Math.round(age / 1000)} s ago); wait for it or retry in ${Math.ceil((BUILD_LEASE_MS - age) / 1000)} s`);
        const builtModel = kpiModelOf(building.model);
        if (model === undefined || model === builtModel) {
          await tx.query('update kpi_meta.versions set heartbeat_at = $2::timestamptz where schema = $1', [building.schema, now.toISOString()]);
          return { schema: building.schema, resumed: true, model: builtModel };
        }
        await tx.query(`update kpi_meta.versions set status = 'retired' where schema = $1`, [building.schema]);
      }
      const live = await tx.query<{ model: number }>('select v.model from kpi_meta.versions v join kpi_meta.active a using (schema)');
      const newModel = model ?? kpiModelOf(live.rows[0]?.model ?? DEFAULT_KPI_MODEL);
      const names = await tx.query<{ name: string }>(
        `select schema as name from kpi_meta.versions union select nspname from pg_namespace where nspname like 'kpi\\_v%'`,
      );
      const highest = Math.max(0, ...names.rows.map((r) => Number(VERSION_NAME.exec(r.name)?.[1] ?? 0)));
      const schema = `kpi_v${highest + 1}`;
      await tx.query(`insert into kpi_meta.versions (schema, status, heartbeat_at, model) values ($1, 'building', $2::timestamptz, $3::smallint)`, [schema, now.toISOString(), newModel]);
      return { schema, resumed: false, model: newModel };
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
