import { compareCheckpoints, type Checkpoint } from '@cdt/event-store';
import type { TargetSet } from '@cdt/domain-kpi';
import type { SqlClient, SqlDatabase } from './sql-database';

/**
 * What the model-1 and model-2 SQL stores (ADR 0010) do alike: create a model version's schema, read its
 * checkpoint, and the statements on the tables both keep in the same shape (`targets`, `applied_events`,
 * `teams`). `table` is the schema-qualified name.
 */

const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Creates a model version's tables when missing: `sql` with `:schema` replaced, statement by statement,
 * under a transaction-scoped advisory lock so two services starting together do not race on
 * CREATE … IF NOT EXISTS.
 */
export async function createModelSchema(db: SqlDatabase, schema: string, sql: string, lockKey: number): Promise<void> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid read-model schema name ${schema}`);
  const statements = sql
    .replaceAll(':schema', schema)
    .split(/;\s*$/m)
    .map((statement) => statement.replace(/^--.*$/gm, '').trim())
    .filter(Boolean);
  await db.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(${lockKey})`);
    for (const statement of statements) await tx.query(statement);
  });
}

/** The model's checkpoint (undefined before its first batch); `lock` holds the row for the transaction. */
export async function storedCheckpoint(client: SqlClient, table: string, lock = false): Promise<Checkpoint | undefined> {
  const { rows } = await client.query<{ transaction_id: string; global_position: string }>(
    `select transaction_id::text, global_position::text from ${table}${lock ? ' for update' : ''}`,
  );
  return rows[0] && { transactionId: rows[0].transaction_id, globalPosition: rows[0].global_position };
}

/** A statement's parameters, numbered in the order they are added. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * The upsert of targets, the last assignment for a key winning (one statement cannot touch a row twice),
 * writing only `where` holds (a condition over the statement, e.g. a CTE's row).
 */
export function targetsUpsert(table: string, targets: readonly TargetSet[], params: Params, where = 'true'): string {
  const last = [...new Map(targets.map((t) => [`${t.unitKey}|${t.indicator}|${t.period}`, t])).values()];
  return `insert into ${table} (unit_key, indicator, period, value)
     select * from unnest(${params.add(last.map((t) => t.unitKey))}::text[], ${params.add(last.map((t) => t.indicator))}::text[],
                          ${params.add(last.map((t) => t.period))}::text[], ${params.add(last.map((t) => t.value))}::float8[]) where ${where}
     on conflict (unit_key, indicator, period) do update set value = excluded.value`;
}

/** The upsert of team records (jsonb), writing only `where` holds. */
export function teamsUpsert(table: string, teams: readonly { readonly teamId: string }[], params: Params, where = 'true'): string {
  return `insert into ${table} (team_id, record)
     select * from unnest(${params.add(teams.map((team) => team.teamId))}::text[], ${params.add(teams.map((team) => JSON.stringify(team)))}::jsonb[]) where ${where}
     on conflict (team_id) do update set record = excluded.record`;
}

/** The checkpoint row set to `checkpoint`, inserted from `source` (one row: write; none: leave it). */
export function checkpointUpsert(table: string, checkpoint: Checkpoint, params: Params, source = ''): string {
  return `insert into ${table} (id, transaction_id, global_position) select true, ${params.add(checkpoint.transactionId)}::numeric, ${params.add(checkpoint.globalPosition)}::bigint ${source}
     on conflict (id) do update set transaction_id = excluded.transaction_id, global_position = excluded.global_position, updated_at = now()`;
}

/** Runs one statement built over fresh parameters. */
async function run(tx: SqlClient, build: (params: Params) => string): Promise<void> {
  const params = new Params();
  const sql = build(params);
  await tx.query(sql, params.values);
}

/** Which of these event ids the model already applied. */
export async function appliedAmong(db: SqlClient, table: string, eventIds: readonly string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const { rows } = await db.query<{ event_id: string }>(`select event_id from ${table} where event_id = any($1::text[])`, [eventIds]);
  return new Set(rows.map((r) => r.event_id));
}

/** Every team record (jsonb: an object on pg, text on some drivers). */
export async function teamRecords<Team>(db: SqlClient, table: string): Promise<Team[]> {
  const { rows } = await db.query<{ record: Team | string }>(`select record from ${table}`);
  return rows.map((r) => (typeof r.record === 'string' ? (JSON.parse(r.record) as Team) : r.record));
}

/** What both models write with every batch beside their own rows. */
export interface SharedBatchRows {
  readonly targets: readonly TargetSet[];
  readonly teams: readonly { readonly teamId: string }[];
  readonly appliedEventIds: readonly string[];
}

/**
 * One batch in one transaction: the checkpoint row is locked and a checkpoint not past it changes
 * nothing (false); otherwise the model's own rows (`writeModel`), then targets, team records, applied
 * ids and the new checkpoint. `t` names a table of the model's schema.
 */
export async function applyCheckpointedBatch(
  db: SqlDatabase,
  t: (table: string) => string,
  checkpoint: Checkpoint,
  shared: SharedBatchRows,
  writeModel: (tx: SqlClient) => Promise<void>,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const stored = await storedCheckpoint(tx, t('checkpoint'), true);
    if (stored && compareCheckpoints(checkpoint, stored) <= 0) return false;
    // A batch merges hundreds of thousands of rows: let its sorts and hashes stay in memory.
    await tx.query(`set local work_mem = '64MB'`);
    await writeModel(tx);
    if (shared.targets.length > 0) await run(tx, (params) => targetsUpsert(t('targets'), shared.targets, params));
    if (shared.teams.length > 0) await run(tx, (params) => teamsUpsert(t('teams'), shared.teams, params));
    if (shared.appliedEventIds.length > 0) {
      await tx.query(`insert into ${t('applied_events')} (event_id) select unnest($1::text[]) on conflict do nothing`, [shared.appliedEventIds]);
    }
    await run(tx, (params) => checkpointUpsert(t('checkpoint'), checkpoint, params));
    return true;
  });
}
