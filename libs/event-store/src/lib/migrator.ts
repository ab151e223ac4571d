import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlScriptRunner } from './sql-client';

const SQL_DIR = join(__dirname, 'sql');
/** Serialises concurrent migrators (two services starting at once) on PostgreSQL. */
const MIGRATION_LOCK_KEY = 7_431_001;

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
}

/** `NNNN_name.sql` files, applied in numeric order; never edited once released. */
export function migrationFiles(): MigrationFile[] {
  return readdirSync(SQL_DIR)
    .filter((file) => /^\d{4}_.+\.sql$/.test(file))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 4)), name: file, sql: readFileSync(join(SQL_DIR, file), 'utf8') }));
}

/**
 * Applies pending migrations in one transaction on one connection and records them in
 * event_store.schema_migrations. The same files run on PostgreSQL and PGlite.
 */
export async function migrate(db: SqlScriptRunner): Promise<string[]> {
  const applied: string[] = [];
  await db.exec('begin');
  try {
    await db.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await db.exec(`
      create schema if not exists event_store;
      create table if not exists event_store.schema_migrations (
        version    integer primary key,
        name       text not null,
        applied_at timestamptz not null default now()
      );`);
    const { rows } = await db.query<{ version: number }>('select version from event_store.schema_migrations');
    const done = new Set(rows.map((row) => row.version));
    for (const migration of migrationFiles()) {
      if (done.has(migration.version)) continue;
      await db.exec(migration.sql);
      await db.query('insert into event_store.schema_migrations (version, name) values ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.name);
    }
    await db.exec('commit');
  } catch (error) {
    await db.exec('rollback');
    throw error;
  }
  return applied;
}

/**
 * PostgreSQL only: lets `appRole` read the log and append through cdt_append, nothing else.
 * Creates the role when it is missing and a password is given (the engines harness creates it itself).
 */
export async function grantApplicationRole(db: SqlScriptRunner, appRole: string, password?: string): Promise<void> {
  const { rows } = await db.query<{ exists: boolean }>('select exists (select 1 from pg_roles where rolname = $1) as exists', [appRole]);
  const role = quoteIdent(appRole);
  if (!rows[0]?.exists) {
    if (password === undefined) throw new Error(`role ${appRole} does not exist and no password was given to create it`);
    await db.exec(`create role ${role} login password ${quoteLiteral(password)}`);
  }
  const grants = readFileSync(join(SQL_DIR, 'grants.sql'), 'utf8').replaceAll(':app_role', role);
  await db.exec(grants);
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
