/**
 * Experiment (not a benchmark of shipped code): the floor of a "facts" KPI model on this machine, for
 * ADR 0009. Reads a kept bench log page by page through the event store port, as the runner does, and
 * writes, in one transaction per page with a checkpoint row:
 *   - `facts`: one row per activity (retractions delete theirs), keyed by event id, indexed by
 *     (team, day), (commune, day) and (province, day) — what query-time fine cells and evidence would read;
 *   - with `--rollups`, additive wide rows (one int8[] of all count indicators) per (view, level above
 *     the village, period kind, period) merged in memory per page — what coarse cells would cost.
 * Distinct counts are not modelled: this measures how fast the rest can go.
 *   node -r ./scripts/register.js test/bench/projection/experiment-facts-floor.ts <database-url> [--page 20000] [--rollups]
 */
import { Pool, type PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { loadAdminUnits } from '@cdt/admin-units';
import { openEventStore, START, type Checkpoint, type RecordedEvent } from '@cdt/event-store';
import { INDICATORS, unitChain, type View } from '@cdt/domain-kpi';
import { PERIOD_KINDS, periodKeys, vietnamDate } from '@cdt/domain-shared';
import { adminUnitResolver } from './resolver';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};

const COUNT_CODES = INDICATORS.filter((i) => i.definition.kind === 'count').map((i) => i.code);
const COUNT_INDEX = new Map(COUNT_CODES.map((code, i) => [code, i]));
const ACTIVITY_TYPES = new Set(['HouseholdVisitRecorded', 'TrainingEnrollmentRecorded', 'TrainingCompletionRecorded', 'AppInstallAssistRecorded', 'DigitalServiceAssistRecorded']);

type Fields = Record<string, unknown>;

const countsOf = (type: string, data: Fields): number[] => {
  const hits: number[] = [];
  for (const indicator of INDICATORS) {
    const definition = indicator.definition;
    if (definition.kind !== 'count') continue;
    for (const match of definition.matches) {
      if (match.event !== type) continue;
      if (match.equals && data[match.equals.field] !== match.equals.value) continue;
      if (match.includes && !(Array.isArray(data[match.includes.field]) && (data[match.includes.field] as unknown[]).includes(match.includes.value))) continue;
      hits.push(COUNT_INDEX.get(indicator.code) as number);
      break;
    }
  }
  return hits;
};

const tsv = (value: string): string => value.replace(/[\\\t\n]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : '\\n'));

async function main(): Promise<void> {
  const url = process.argv[2];
  const page = Number(arg('--page', '20000'));
  const rollups = process.argv.includes('--rollups');
  const schema = 'kpi_facts_experiment';
  const resolve = adminUnitResolver(loadAdminUnits());
  const store = await openEventStore({ kind: 'postgres', url, adminUrl: url, poolSize: 2 });
  const pool = new Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  await pool.query(`drop schema if exists ${schema} cascade`);
  await pool.query(`create schema ${schema}`);
  await pool.query(`create table ${schema}.facts (event_id uuid primary key, position bigint not null, team text not null, province text not null, commune text not null, village text not null, day date not null, counts smallint[] not null, household text, citizen text, members text[])`);
  await pool.query(`create index on ${schema}.facts (team, day)`);
  await pool.query(`create index on ${schema}.facts (commune, day)`);
  await pool.query(`create index on ${schema}.facts (province, day)`);
  await pool.query(`create table ${schema}.cells (view text, level text, unit text, period_kind text, period_key text, v int8[] not null, primary key (view, level, unit, period_kind, period_key)) with (fillfactor = 80)`);
  await pool.query(`create table ${schema}.checkpoint (id int primary key, position bigint not null)`);
  await pool.query(`insert into ${schema}.checkpoint values (1, 0)`);

  const write = async (client: PoolClient, events: readonly RecordedEvent[], checkpoint: Checkpoint): Promise<number> => {
    let lines = '';
    let rows = 0;
    const retracted: string[] = [];
    const cells = new Map<string, number[]>();
    for (const event of events) {
      if (event.type === 'ActivityRetracted') {
        const original = (event.data as Fields)['retracted'] as { data?: Fields } | undefined;
        const id = original?.data?.['activityId'];
        if (typeof id === 'string') retracted.push(id);
        continue;
      }
      if (!ACTIVITY_TYPES.has(event.type)) continue;
      const data = event.data as Fields;
      const day = vietnamDate(String(data['occurredAt']));
      const commune = String(data['communeCode']);
      const team = { teamId: String(data['teamId']), communeCode: commune, village: String(data['village']) };
      const province = resolve(commune, day)?.provinceCode ?? '';
      const counts = countsOf(event.type, data);
      const members = Array.isArray(data['memberIds']) ? `{${(data['memberIds'] as string[]).map((m) => `"${m}"`).join(',')}}` : '\\N';
      lines += `${String(data['activityId'])}\t${event.position.globalPosition}\t${tsv(team.teamId)}\t${province}\t${commune}\t${tsv(team.village)}\t${day}\t{${counts.join(',')}}\t${typeof data['householdRef'] === 'string' ? data['householdRef'] : '\\N'}\t${typeof data['citizenRef'] === 'string' ? data['citizenRef'] : '\\N'}\t${members}\n`;
      rows++;
      if (!rollups) continue;
      const periods = periodKeys(day);
      for (const view of ['as-recorded', 'current'] as View[]) {
        for (const unit of unitChain(view, team, day, resolve)) {
          if (unit.level === 'team' || unit.level === 'village') continue;
          for (const kind of PERIOD_KINDS) {
            const key = `${view}\t${unit.level}\t${unit.key}\t${kind}\t${periods[kind]}`;
            let v = cells.get(key);
            if (!v) cells.set(key, (v = new Array<number>(COUNT_CODES.length).fill(0)));
            for (const i of counts) v[i]++;
          }
        }
      }
    }
    await client.query('begin');
    const copy = client.query(copyFrom(`copy ${schema}.facts from stdin`));
    await pipeline(Readable.from([lines]), copy);
    // Retracted activities are identified by activity id here (the event id is not in the retraction).
    if (retracted.length > 0) await client.query(`delete from ${schema}.facts where event_id = any($1::uuid[])`, [retracted]);
    if (rollups && cells.size > 0) {
      const keys = [...cells.keys()].map((k) => k.split('\t'));
      await client.query(
        `insert into ${schema}.cells (view, level, unit, period_kind, period_key, v)
         select a, b, c, d, e, string_to_array(f, ',')::int8[] from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) as t(a, b, c, d, e, f)
         on conflict (view, level, unit, period_kind, period_key) do update
           set v = (select array_agg(x + y order by i) from unnest(cells.v, excluded.v) with ordinality as u(x, y, i))`,
        [keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2]), keys.map((k) => k[3]), keys.map((k) => k[4]), [...cells.values()].map((v) => v.join(','))],
      );
    }
    await client.query(`update ${schema}.checkpoint set position = $1 where id = 1`, [checkpoint.globalPosition]);
    await client.query('commit');
    return rows + cells.size;
  };

  const started = performance.now();
  let after: Checkpoint = START;
  let total = 0;
  let written = 0;
  const client = await pool.connect();
  let next = store.readAll({ after, limit: page });
  for (;;) {
    const result = await next;
    if (result.events.length === 0) break;
    after = result.checkpoint;
    next = store.readAll({ after, limit: page });
    written += await write(client, result.events, result.checkpoint);
    total += result.events.length;
    if (total % (page * 10) === 0) process.stderr.write(`${total} events, ${Math.round(total / ((performance.now() - started) / 1000))}/s\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  client.release();
  const usage = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ experiment: rollups ? 'facts+rollups' : 'facts', events: total, seconds: Number(seconds.toFixed(1)), events_per_s: Math.round(total / seconds), rows_written: written, node_cpu_s: Number(((usage.user + usage.system) / 1e6).toFixed(1)) })}\n`);
  await store.close();
  await pool.end();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
