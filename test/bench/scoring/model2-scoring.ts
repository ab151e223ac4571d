/**
 * Scoring's input gathering over a KPI model-2 version (ADR 0010), timed: what a nationwide quarter
 * evaluation of teams ranked within each province costs when the live version is model 2.
 *   node -r ./scripts/register.js test/bench/scoring/model2-scoring.ts <database-url> <schema> <quarter>
 * e.g. the bench:projection log kept with --keep and caught up into model 2 (`--passes model2`):
 *   … postgres://…/cdt_bench_projection_… kpi2_v1 2025-Q3
 * Prints one JSON line: gatherInputs (the run's own path) over the whole nation, then one province's
 * figuresUnder of the quarter, per phase. Not part of CI; the numbers go to docs/operations/benchmarks.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { Pool } from 'pg';
import { loadAdminUnits } from '@cdt/admin-units';
import { validateCriteriaSet } from '@cdt/domain-scoring';
import { pgDatabase, SqlKpiModel2Store } from '@cdt/read-store';
import { gatherInputs, ScoringUnits } from '@cdt/scoring-feature';

async function main(): Promise<void> {
  const [url, schema, period] = process.argv.slice(2);
  if (!url || !schema || !/^\d{4}-Q[1-4]$/.test(period ?? '')) throw new Error('usage: model2-scoring.ts <database-url> <schema> <quarter, e.g. 2025-Q3>');
  const parsed = validateCriteriaSet(JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'docs', 'scoring', 'default-criteria.json'), 'utf8')));
  if (!parsed.ok) throw new Error('docs/scoring/default-criteria.json is invalid');
  const pool = new Pool({ connectionString: url, max: 4, application_name: 'cdt-bench-model2-scoring' });
  pool.on('error', (error) => process.emitWarning(`bench pool: ${error.message}`));
  const store = await SqlKpiModel2Store.open(pgDatabase(pool), schema);
  try {
    const units = new ScoringUnits(loadAdminUnits());
    const t0 = performance.now();
    const inputs = await gatherInputs(store, units, { set: parsed.set, area: { level: 'nation', code: 'VN' }, period });
    const gatherMs = Math.round(performance.now() - t0);
    const scored = inputs.filter((input) => Object.values(input.figures).some((value) => value !== 0)).length;
    const t1 = performance.now();
    const one = await store.figuresUnder({ view: 'current', under: { level: 'province', unitKey: '82' }, level: 'team', periods: [period], indicators: ['household-visits', 'households-reached', 'members-registered'] });
    const provinceMs = Math.round(performance.now() - t1);
    process.stdout.write(`${JSON.stringify({ bench: 'scoring-inputs-model2', schema, period, gather_inputs_ms: gatherMs, units: inputs.length, units_with_figures: scored, province_82_quarter_figures_under_ms: provinceMs, province_82_teams: one.units.length, load_avg: Math.round(loadavg()[0] * 10) / 10 })}\n`);
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
