/**
 * Measurement aid (not a benchmark, nothing asserted): where the model-2 write path spends its time,
 * statement by statement. Catch-up from the start of a kept bench log, one page at a time, into a scratch
 * schema `kpi2_wp` (dropped at the end) through one connection, so the PostgreSQL backend's CPU can be read
 * from /proc around each statement. Pages before `skip` are written but not counted (warm-up, January).
 * Prints, per statement kind, wall and backend CPU in µs per event, and Node's CPU for reading the page,
 * projecting it and the whole write call (parameter encoding included).
 *   node -r ./scripts/register.js test/bench/projection/write-path.ts <database-url> [pages=14] [skip=2]
 */
import { Client, Pool } from 'pg';
import { loadAdminUnits } from '@cdt/admin-units';
import { openEventStore, START } from '@cdt/event-store';
import { projectBatchModel2, relocatingTeamIds, type TeamHistory } from '@cdt/domain-kpi';
import { loadModel2State, pgDatabase, SqlKpiModel2Store, type SqlClient, type SqlDatabase } from '@cdt/read-store';
import { processCpuMs } from '../ingest/cpu-meter';
import { adminUnitResolver } from './resolver';

const SCHEMA = 'kpi2_wp';

interface Tally {
  wallMs: number;
  pgMs: number;
  calls: number;
}

/** A statement's kind: its verb and first table (`insert facts`, `select applied_events`, …). */
const kindOf = (sql: string): string => {
  const text = sql.replace(/\s+/g, ' ').trim();
  const verb = text.split(' ')[0].toLowerCase();
  const table = new RegExp(`${SCHEMA}\\.(\\w+)`).exec(text)?.[1] ?? text.slice(0, 30);
  return `${verb} ${table}`;
};

async function main(): Promise<void> {
  const url = process.argv[2];
  const pages = Number(process.argv[3] ?? 14);
  const skip = Number(process.argv[4] ?? 2);
  const resolve = adminUnitResolver(loadAdminUnits());
  const store = await openEventStore({ kind: 'postgres', url, adminUrl: url, poolSize: 2 });
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop schema if exists ${SCHEMA} cascade`);
  const pool = new Pool({ connectionString: url, max: 1 });
  const db = pgDatabase(pool);
  const backend = Number((await db.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid);
  const tallies = new Map<string, Tally>();
  let counting = false;
  const timed = (client: SqlClient): SqlClient => ({
    query: async <Row>(sql: string, params?: unknown[]) => {
      const [t0, c0] = [performance.now(), processCpuMs(backend)];
      const result = await client.query<Row>(sql, params);
      if (counting) {
        const kind = kindOf(sql);
        const tally = tallies.get(kind) ?? { wallMs: 0, pgMs: 0, calls: 0 };
        tally.wallMs += performance.now() - t0;
        tally.pgMs += processCpuMs(backend) - c0;
        tally.calls += 1;
        tallies.set(kind, tally);
      }
      return result;
    },
  });
  const wrapped: SqlDatabase = { ...timed(db), exec: (sql) => db.exec(sql), transaction: (work) => db.transaction((tx) => work(timed(tx))), close: () => db.close() };
  const m2 = await SqlKpiModel2Store.open(wrapped, SCHEMA);
  let state = await loadModel2State(m2);
  let after = START;
  let events = 0;
  const node = { readMs: 0, projectMs: 0, writeMs: 0 };
  const nodeCpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  for (let p = 0; p < pages; p++) {
    counting = p >= skip;
    let c = nodeCpu();
    const lap = (key: keyof typeof node) => {
      const now = nodeCpu();
      if (counting) node[key] += now - c;
      c = now;
    };
    const page = await store.readAll({ after, limit: 20000 });
    after = page.checkpoint;
    lap('readMs');
    const applied = await m2.appliedAmong(page.events.map((e) => e.eventId));
    const histories = new Map<string, TeamHistory>();
    for (const id of relocatingTeamIds(page.events)) histories.set(id, await m2.teamHistory(id));
    c = nodeCpu();
    const result = projectBatchModel2(state, page.events, { resolve, isApplied: (id) => applied.has(id), teamHistory: (id) => histories.get(id) as TeamHistory });
    lap('projectMs');
    await m2.applyBatch(result.deltas, page.checkpoint);
    lap('writeMs');
    state = result.state;
    if (counting) events += page.events.length;
    process.stderr.write(`page ${p}: ${page.events.length} events, ${result.deltas.cells.length} cells\n`);
  }
  const us = (ms: number) => ((ms * 1000) / events).toFixed(2);
  const rows = [...tallies].sort((a, b) => b[1].pgMs - a[1].pgMs);
  process.stdout.write(`${events} events counted (pages ${skip}..${pages - 1})\n`);
  for (const [kind, t] of rows) process.stdout.write(`${kind.padEnd(28)} wall ${us(t.wallMs).padStart(6)} µs/event, backend CPU ${us(t.pgMs).padStart(6)} µs/event (${t.calls} calls)\n`);
  const pgTotal = rows.reduce((sum, [, t]) => sum + t.pgMs, 0);
  process.stdout.write(`backend CPU, all statements: ${us(pgTotal)} µs/event\n`);
  process.stdout.write(`node CPU: read ${us(node.readMs)}, project ${us(node.projectMs)}, write call ${us(node.writeMs)} µs/event\n`);
  await m2.close();
  await admin.query(`drop schema if exists ${SCHEMA} cascade`);
  await admin.end();
  await store.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
