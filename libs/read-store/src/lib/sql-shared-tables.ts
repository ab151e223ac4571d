import type { TargetSet } from '@cdt/domain-kpi';
import type { SqlClient } from './sql-database';

/**
 * Statements on the tables both KPI models keep in the same shape (`targets`, `applied_events`,
 * `teams`), for the model-1 store and the model-2 store (ADR 0010). `table` is the schema-qualified name.
 */

/** Targets, the last assignment for a key winning (one statement cannot touch a row twice). */
export async function upsertTargets(tx: SqlClient, table: string, targets: readonly TargetSet[]): Promise<void> {
  if (targets.length === 0) return;
  const last = [...new Map(targets.map((t) => [`${t.unitKey}|${t.indicator}|${t.period}`, t])).values()];
  await tx.query(
    `insert into ${table} (unit_key, indicator, period, value)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::float8[])
     on conflict (unit_key, indicator, period) do update set value = excluded.value`,
    [last.map((t) => t.unitKey), last.map((t) => t.indicator), last.map((t) => t.period), last.map((t) => t.value)],
  );
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
