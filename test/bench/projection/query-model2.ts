/**
 * Measurement aid (not a benchmark, nothing asserted): the bench's model-2 queries (the drill-down of
 * province 82 in 2025-08, current view: `children` then `figures` of the communes; `figures` of the nation
 * for 2025 in each view), computed (no answer cache), timed one at a time against one or more model-2 schemas
 * of the same log, taking turns so load drifts hit each alike. Prints the median and the range per schema,
 * and a digest of the answers, which must be equal across schemas.
 *   node -r ./scripts/register.js test/bench/projection/query-model2.ts <database-url> <schema>[,<schema>…] [runs=5]
 */
import { createHash } from 'node:crypto';
import { Pool } from 'pg';
import { pgDatabase, SqlKpiModel2Store } from '@cdt/read-store';

const QUERIES = {
  'drill-down': async (store: SqlKpiModel2Store) => {
    const children = await store.children('current', 'province', '82', 'commune', '2025-08');
    return [children, await store.figures('current', 'commune', children, '2025-08')];
  },
  'nation-2025-as-recorded': (store: SqlKpiModel2Store) => store.figures('as-recorded', 'nation', ['VN'], '2025'),
  'nation-2025-current': (store: SqlKpiModel2Store) => store.figures('current', 'nation', ['VN'], '2025'),
};

async function main(): Promise<void> {
  const [url, schemaList, runsArg = '5'] = process.argv.slice(2);
  const schemas = schemaList.split(',');
  const runs = Number(runsArg);
  const stores = await Promise.all(schemas.map((schema) => SqlKpiModel2Store.open(pgDatabase(new Pool({ connectionString: url, max: 2 })), schema)));
  const times = new Map<string, number[]>();
  const digests = new Map<string, string>();
  for (let run = 0; run < runs; run++) {
    for (const [name, query] of Object.entries(QUERIES)) {
      for (const [i, store] of stores.entries()) {
        const t0 = performance.now();
        const answer = await query(store);
        const ms = performance.now() - t0;
        const key = `${name} ${schemas[i]}`;
        times.set(key, [...(times.get(key) ?? []), ms]);
        digests.set(key, createHash('sha256').update(JSON.stringify(answer)).digest('hex').slice(0, 12));
      }
    }
  }
  for (const [key, ms] of times) {
    const sorted = [...ms].sort((a, b) => a - b);
    process.stdout.write(`${key.padEnd(40)} median ${Math.round(sorted[Math.floor(sorted.length / 2)])} ms (${Math.round(sorted[0])}–${Math.round(sorted[sorted.length - 1])}), answer ${digests.get(key)}\n`);
  }
  await Promise.all(stores.map((store) => store.close()));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
