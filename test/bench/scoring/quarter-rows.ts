import type { AdminUnits } from '@cdt/admin-units';
import { REFORM_DATE } from '@cdt/admin-units';
import { periodsBetween, type SqlDatabase } from '@cdt/read-store';
import { parsePeriod } from '@cdt/domain-shared';
import { SeededRandom } from '@cdt/simulation';

/**
 * The read-model rows a quarter's team evaluation reads, generated straight into the SQL KPI read model
 * (`<schema>.figures` and `<schema>.targets`, the schema SqlKpiReadStore creates), as the projection
 * would have left them in the `current` view: per team the quarter's counts and distinct counts, its
 * registry stocks (dated in an earlier quarter, as the stock query sums every quarter up to the
 * period), `active-teams` in each ISO week it worked, and five targets. Teams are spread over today's
 * 34 provinces and 3,321 communes like the national ~75,000.
 */

export interface QuarterOptions {
  readonly teams: number;
  readonly period: string;
  readonly seed: number;
}

export interface Row {
  readonly unitKey: string;
  readonly periodKind: 'quarter' | 'week';
  readonly periodKey: string;
  readonly indicator: string;
  readonly value: number;
  readonly village: string;
  readonly commune: string;
  readonly province: string;
}

export interface Target {
  readonly unitKey: string;
  readonly indicator: string;
  readonly value: number;
}

const SKILLS = ['public-services', 'online-shopping', 'online-payment', 'online-safety', 'local-platforms'];
const TARGETED = ['household-visits', 'app-install.vneid', 'dvctt-dossiers', 'merchants-onboarded', 'products-listed'];

/** One team's rows and targets for the quarter; some teams are too small, lack youth-union members or did nothing. */
function* teamRows(random: SeededRandom, place: { unitKey: string; village: string; commune: string; province: string }, period: string, weeks: readonly string[], stockPeriod: string) {
  const members = random.chance(0.05) ? 3 : random.int(4, 9);
  const youth = Array.from({ length: members }, () => random.chance(0.35)).filter(Boolean).length;
  const row = (periodKind: Row['periodKind'], periodKey: string, indicator: string, value: number): Row => ({ ...place, periodKind, periodKey, indicator, value });
  yield row('quarter', stockPeriod, 'teams-registered', 1);
  yield row('quarter', stockPeriod, 'members-registered', members);
  if (youth > 0) yield row('quarter', stockPeriod, 'youth-union-members', youth);
  if (random.chance(0.04)) return;
  const visits = random.int(10, 260);
  const flows: Record<string, number> = {
    'household-visits': visits,
    'households-reached': Math.max(1, Math.round(visits * (0.5 + random.next() * 0.4))),
    'app-installs': random.int(0, 120),
    'app-install.vneid': random.int(0, 60),
    'app-install.e-wallet': random.int(0, 40),
    'citizens-assisted.vneid': random.int(0, 55),
    'dvctt-accounts': random.int(0, 40),
    'dvctt-dossiers': random.int(0, 50),
    'online-payments': random.int(0, 40),
    'merchants-onboarded': random.int(0, 8),
    'products-listed': random.int(0, 6),
    'training-enrollments': random.int(0, 20),
    'training-enrollments.member': random.int(0, members * 2),
    'training-completions': random.int(0, 15),
    'training-completions.member': random.int(0, members * 2),
    'active-teams': 1,
    'active-members': random.int(1, members),
  };
  for (const skill of SKILLS) flows[`visit-skill.${skill}`] = Math.round(visits * random.next() * 0.6);
  for (const [indicator, value] of Object.entries(flows)) if (value > 0) yield row('quarter', period, indicator, value);
  const activeWeeks = random.int(1, weeks.length);
  for (const week of weeks) if (random.chance(activeWeeks / weeks.length)) yield row('week', week, 'active-teams', 1);
}

/** Every row and target of the generated quarter, in batches of about `batchRows` rows. */
export function* quarterBatches(units: AdminUnits, options: QuarterOptions, batchRows = 20_000): Generator<{ rows: Row[]; targets: Target[]; teams: number }> {
  const bounds = parsePeriod(options.period);
  if (!bounds || bounds.kind !== 'quarter') throw new Error(`${options.period} is not a quarter`);
  const weeks = periodsBetween('week', bounds.first, bounds.last);
  const year = Number(options.period.slice(0, 4));
  const stockPeriod = `${year - 1}-Q3`;
  const communes = units.provinces(REFORM_DATE).flatMap((province) =>
    units.children(province.code, REFORM_DATE).filter((unit) => unit.level === 'commune').map((commune) => ({ commune: commune.code, province: province.code })),
  );
  const random = new SeededRandom(options.seed);
  let rows: Row[] = [];
  let targets: Target[] = [];
  let teams = 0;
  for (let n = 0; n < options.teams; n++) {
    const { commune, province } = communes[n % communes.length];
    const place = { unitKey: `bench-team-${String(n).padStart(6, '0')}`, village: `${commune}/Thôn ${Math.floor(n / communes.length) + 1}`, commune, province };
    for (const row of teamRows(random, place, options.period, weeks, stockPeriod)) rows.push(row);
    for (const indicator of TARGETED) targets.push({ unitKey: place.unitKey, indicator, value: random.int(20, 200) });
    teams++;
    if (rows.length >= batchRows) {
      yield { rows, targets, teams };
      rows = [];
      targets = [];
      teams = 0;
    }
  }
  if (rows.length > 0 || targets.length > 0) yield { rows, targets, teams };
}

/** Writes one batch with two `insert … select unnest(…)` statements (one round trip each). */
export async function insertBatch(db: SqlDatabase, schema: string, period: string, batch: { rows: Row[]; targets: Target[] }): Promise<void> {
  const { rows, targets } = batch;
  await db.query(
    `insert into ${schema}.figures (view, level, unit_key, period_kind, period_key, indicator, value, village, commune, district, province, placed_on)
     select 'current', 'team', u, k, p, i, v, vi, c, null, pr, $8
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $9::text[]) as t(u, k, p, i, v, vi, c, pr)`,
    [
      rows.map((r) => r.unitKey),
      rows.map((r) => r.periodKind),
      rows.map((r) => r.periodKey),
      rows.map((r) => r.indicator),
      rows.map((r) => r.value),
      rows.map((r) => r.village),
      rows.map((r) => r.commune),
      REFORM_DATE,
      rows.map((r) => r.province),
    ],
  );
  await db.query(
    `insert into ${schema}.targets (unit_key, indicator, period, value) select u, i, $3, v from unnest($1::text[], $2::text[], $4::float8[]) as t(u, i, v)`,
    [targets.map((t) => t.unitKey), targets.map((t) => t.indicator), period, targets.map((t) => t.value)],
  );
}
