/**
 * Profiling aid (not a benchmark): projects the first `--events` of a kept bench database into a fresh
 * schema page by page and splits each page's time into read, project (pure) and write (applyBatch).
 *   node -r ./scripts/register.js test/bench/projection/profile-catch-up.ts <database-url> [events] [page]
 */
import { Pool } from 'pg';
import { loadAdminUnits } from '@cdt/admin-units';
import { openEventStore, START, type Checkpoint } from '@cdt/event-store';
import { projectBatch } from '@cdt/domain-kpi';
import { loadProjectorState, pgDatabase, SqlKpiReadStore, type SqlClient, type SqlDatabase } from '@cdt/read-store';
import { adminUnitResolver } from './resolver';

/** Times each statement by its first words; EXPLAIN ANALYZEs the big writes of page `explainPage`. */
const statements = new Map<string, number>();
let explainNow = false;
const timed = (client: SqlClient): SqlClient => ({
  query: async <Row>(sql: string, params?: unknown[]) => {
    const name = sql.replace(/\s+/g, ' ').trim().slice(0, 60);
    const t0 = performance.now();
    const big = /^(with|insert)/.test(sql.trim()) && explainNow;
    const result = await client.query<Row>(big ? `explain (analyze, buffers) ${sql}` : sql, params);
    if (big) process.stderr.write(`${name}\n${(result.rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n')}\n`);
    statements.set(name, (statements.get(name) ?? 0) + performance.now() - t0);
    return result;
  },
});
const timedDatabase = (db: SqlDatabase): SqlDatabase => ({ ...timed(db), exec: (sql) => db.exec(sql), transaction: (work) => db.transaction((tx) => work(timed(tx))), close: () => db.close() });

async function main(): Promise<void> {
  const [url, eventsArg = '50000', pageArg = '10000', schema = 'kpi_profile'] = process.argv.slice(2);
  const limit = Number(eventsArg);
  const page = Number(pageArg);
  const resolve = adminUnitResolver(loadAdminUnits());
  const events = await openEventStore({ kind: 'postgres', url, adminUrl: url, poolSize: 2 });
  const pool = new Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  await pool.query(`drop schema if exists ${schema} cascade`);
  const store = await SqlKpiReadStore.open(timedDatabase(pgDatabase(pool)), schema);
  let state = await loadProjectorState(store);
  let after: Checkpoint = START;
  const t = { read: 0, applied: 0, project: 0, write: 0, events: 0, counts: 0, refs: 0 };
  const started = performance.now();
  const explainPage = Number(process.env['EXPLAIN_PAGE'] ?? -1);
  for (let n = 0; t.events < limit; n++) {
    explainNow = n === explainPage;
    let t0 = performance.now();
    const result = await events.readAll({ after, limit: page });
    t.read += performance.now() - t0;
    if (result.events.length === 0) break;
    t0 = performance.now();
    const applied = await store.appliedAmong(result.events.map((e) => e.eventId));
    t.applied += performance.now() - t0;
    t0 = performance.now();
    const projected = projectBatch(state, result.events, { resolve, isApplied: (id) => applied.has(id), contributionsOf: () => ({ counts: [], refs: [] }) });
    t.project += performance.now() - t0;
    t0 = performance.now();
    await store.applyBatch(projected.deltas, result.checkpoint);
    t.write += performance.now() - t0;
    state = projected.state;
    after = result.checkpoint;
    t.events += result.events.length;
    t.counts += projected.deltas.counts.length;
    t.refs += projected.deltas.refs.length;
    process.stderr.write(`page ${n}: project ${Math.round(performance.now() - t0)} ms write; `);
    process.stderr.write(`${t.events} events, ${Math.round(t.events / ((performance.now() - started) / 1000))}/s\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ ...Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)])), page, seconds: Math.round(seconds * 10) / 10, events_per_s: Math.round(t.events / seconds) }));
  for (const [name, ms] of statements) console.log(Math.round(ms), name);
  await store.close();
  await events.close();
}

void main();
