/**
 * Profiling aid (not a benchmark, nothing asserted): catch-up into KPI model 2 page by page from the
 * start of a kept bench log, one line per page with where the wall time went (read, applied ids, team
 * histories, projector, write), the process CPU and the heap, into a
 * scratch schema `kpi2_prof` dropped at the end. ADR 0010 "Step 2" cites its output.
 *   node -r ./scripts/register.js test/bench/projection/profile-model2.ts <database-url> [pages=10]
 */
import { Pool } from 'pg';
import { loadAdminUnits } from '@cdt/admin-units';
import { openEventStore, START } from '@cdt/event-store';
import { projectBatchModel2, relocatingTeamIds, type TeamHistory } from '@cdt/domain-kpi';
import { loadModel2State, pgDatabase, SqlKpiModel2Store } from '@cdt/read-store';
import { adminUnitResolver } from './resolver';
async function main(): Promise<void> {
  const url = process.argv[2]; const pages = Number(process.argv[3] ?? 10);
  const resolve = adminUnitResolver(loadAdminUnits());
  const store = await openEventStore({ kind: 'postgres', url, adminUrl: url, poolSize: 2 });
  const admin = new Pool({ connectionString: url, max: 1 }); admin.on('error', () => undefined);
  await admin.query('drop schema if exists kpi2_prof cascade');
  const m2 = await SqlKpiModel2Store.open(pgDatabase(new Pool({ connectionString: url, max: 2 })), 'kpi2_prof');
  let state = await loadModel2State(m2); let after = START;
  for (let p = 0; p < pages; p++) {
    let t = performance.now(); const c0 = process.cpuUsage(); const T: Record<string, number> = {};
    const lap = (k: string) => { const now = performance.now(); T[k] = Math.round(now - t); t = now; };
    const r = await store.readAll({ after, limit: 20000 }); after = r.checkpoint; lap('read');
    const applied = await m2.appliedAmong(r.events.map((e) => e.eventId)); lap('applied');
    const histories = new Map<string, TeamHistory>();
    for (const id of relocatingTeamIds(r.events)) histories.set(id, await m2.teamHistory(id)); lap('hist');
    const res = projectBatchModel2(state, r.events, { resolve, isApplied: (id) => applied.has(id), teamHistory: (id) => histories.get(id) as TeamHistory }); lap('project');
    await m2.applyBatch(res.deltas, r.checkpoint); lap('write');
    state = res.state;
    const cpu = process.cpuUsage(c0);
    console.log(p, 'reloc', histories.size, 'cells', res.deltas.cells.length, 'cpu', Math.round((cpu.user + cpu.system) / 1000), JSON.stringify(T), 'heap', Math.round(process.memoryUsage().heapUsed / 2 ** 20));
  }
  await m2.close();
  await admin.query('drop schema if exists kpi2_prof cascade');
  await admin.end();
  await store.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
