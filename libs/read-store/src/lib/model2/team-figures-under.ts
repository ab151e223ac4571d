import { INDICATORS, STORED_INDICATOR_CODES, TEAM_KINDS_FROM_MONTHS } from '@cdt/domain-kpi';
import { parsePeriod, type PeriodKind } from '@cdt/domain-shared';
import { blankUnit, emptyFiguresUnder, planFiguresUnder, sortedFiguresUnder, type FiguresUnder, type FiguresUnderQuery, type UnitFiguresUnder } from '../figures-under';
import type { SqlDatabase } from '../sql-database';
import { cellsUnder, currentlyUnderKeys, periodOfMonth, recordedUnderKeys, unknownTeams } from './model2-rows';

const DISTINCT_CODES: ReadonlySet<string> = new Set(INDICATORS.filter((i) => i.definition.kind === 'distinct').map((i) => i.code));
/** An indicator's 1-based slot in a cell's vector `v`. */
const SLOT: ReadonlyMap<string, number> = new Map(STORED_INDICATOR_CODES.map((code, i) => [code, i + 1]));
/**
 * Team cells are stored by month (cells.ts, materialisedKinds) and summed from the months for quarter and
 * year (TEAM_KINDS_FROM_MONTHS); team × week is computed here from the team's facts and stock facts of the
 * week (flows only: a week's stocks sum earlier weeks, each placed by its own latest contributor, which the
 * general path reads); team × day takes the general path.
 */
const TEAM_CELL_KINDS: ReadonlySet<PeriodKind> = new Set(['month', 'quarter', 'year']);

/** Whether `teamFiguresUnder` answers the query: teams, periods of kinds with team cells, or weeks when no stock is asked. */
export const isTeamFiguresUnder = (query: FiguresUnderQuery): boolean => {
  const plan = planFiguresUnder(query);
  return query.level === 'team' && plan.periods.every((period) => TEAM_CELL_KINDS.has(period.kind) || (period.kind === 'week' && plan.stocks.length === 0));
};

/** The parent, as the keys of the placement predicates of model2-rows.ts. */
const PARENT = 'array[$1::text]';

/**
 * The team cells a query reads, by kind: those of the periods asked, or, when stocks are asked (a stock
 * is the sum of the cells of its kind up to the period, each placed as its own cell), every cell of the
 * kind up to the latest period asked. Parameters from `at`, returned with their values.
 */
const cellPeriods = (periods: readonly { kind: PeriodKind; key: string }[], withStocks: boolean, at: number): { sql: string; params: unknown[] } => {
  const kinds = [...new Set(periods.map((period) => period.kind))];
  const params: unknown[] = [];
  const clauses = kinds.map((kind) => {
    const keys = periods.filter((period) => period.kind === kind).map((period) => period.key);
    params.push(kind, withStocks ? keys.reduce((a, b) => (b > a ? b : a)) : keys);
    const [k, v] = [at + params.length - 2, at + params.length - 1];
    return withStocks ? `(c.period_kind = $${k} and c.period_key <= $${v})` : `(c.period_kind = $${k} and c.period_key = any($${v}::text[]))`;
  });
  return { sql: `(${clauses.join(' or ')})`, params };
};

interface ValueRow {
  team_id: string;
  p: number;
  i: number;
  value: number;
}

/**
 * `figuresUnder` at team level over periods of kinds team cells are materialised for (week → year), on
 * model 2's tables (ADR 0010), in one statement for all periods: the answer of the reference
 * (`figuresUnderOfModel2`) without building model 2's general rows (model2-rows.ts) nationwide.
 * - Teams under the parent, per period, as the reference places them: as recorded, the team cell of the
 *   period placed under the parent (a team relocated mid-period follows its cell's placement, the latest
 *   day's); in the current view, the team's record today, or the cell's placement without district for a
 *   team with no record. Every live fact placed its team cell of each kind (projector.ts), so a team with
 *   facts in a period has that cell even when a retraction left its counts at zero.
 * - Counts from the team cell's vector; distinct counts per team from its facts of the period
 *   (`count(distinct subject)`, facts_by_team), only for the distinct indicators asked and only for teams
 *   whose cell is under the parent; stocks summed over the team cells of the kind up to the period, each
 *   under the parent by its own placement (as the reference sums rows); targets of the teams answered.
 * Units whose every value is zero are left out, as in `figuresUnderOfRows`.
 */
export async function teamFiguresUnder(db: SqlDatabase, t: (table: string) => string, query: FiguresUnderQuery): Promise<FiguresUnder> {
  const plan = planFiguresUnder(query);
  const answer = emptyFiguresUnder(plan);
  if (plan.indicators.length === 0 || plan.periods.length === 0) return answer;
  const width = plan.indicators.length;
  const slotted = (codes: readonly string[]) => codes.flatMap((code) => (SLOT.has(code) ? [{ slot: SLOT.get(code) as number, i: plan.indicators.indexOf(code) }] : []));
  const counts = slotted(plan.flows.filter((code) => !DISTINCT_CODES.has(code)));
  const stocks = slotted(plan.stocks);
  const distinct = plan.flows.filter((code) => DISTINCT_CODES.has(code)).map((code) => ({ code, i: plan.indicators.indexOf(code) }));
  const bounds = plan.periods.map(({ key }) => parsePeriod(key) as { first: string; last: string });

  // $1 parent, $2–$5 periods (kind, key, first, last; p = position − 1), $6–$7 count slots and positions,
  // $8–$9 stock slots and positions, $10–$11 distinct codes and positions; then the cells' periods.
  const params: unknown[] = [
    query.under.unitKey,
    plan.periods.map((period) => period.kind),
    plan.periods.map((period) => period.key),
    bounds.map((b) => b.first),
    bounds.map((b) => b.last),
    counts.map((c) => c.slot),
    counts.map((c) => c.i),
    stocks.map((c) => c.slot),
    stocks.map((c) => c.i),
    distinct.map((c) => c.code),
    distinct.map((c) => c.i),
  ];
  const under = query.under.level;
  const storedPeriods = plan.periods.filter((period) => period.kind === 'month');
  const summedPeriods = plan.periods.filter((period) => TEAM_KINDS_FROM_MONTHS.has(period.kind));
  const stored = storedPeriods.length > 0 ? cellPeriods(storedPeriods, stocks.length > 0, params.length + 1) : undefined;
  params.push(...(stored?.params ?? []));
  const summed = summedPeriods.length > 0 ? cellPeriods(summedPeriods, stocks.length > 0, params.length + 1) : undefined;
  params.push(...(summed?.params ?? []));
  // Summed cells read the months up to the last one of the latest period asked.
  const monthsUpTo = summedPeriods.map((period) => (parsePeriod(period.key) as { last: string }).last.slice(0, 7)).reduce((a, b) => (b > a ? b : a), '');
  const summedAt = summed ? params.push([...new Set(summedPeriods.map((period) => period.kind))], monthsUpTo) - 1 : 0;
  /**
   * The team cells asked: stored ones (month) that meet `storedWhere` (over their own columns);
   * quarter and year summed from the month cells of the teams `summedTeams` picks (over a month cell `m`),
   * one row per month under its quarter or year (the counts and stocks below add up), each with the
   * placement of the latest month of that period (cells.ts, teamCellsFromMonths).
   */
  const teamCells = (storedWhere: string, summedTeams: string): string => {
    const parts: string[] = [];
    if (stored) {
      parts.push(`select c.unit_key, c.period_kind, c.period_key, c.v, c.village, c.commune, c.district, c.province
          from ${t('cells')} c where c.view = 'as-recorded' and c.level = 'team' and ${stored.sql} and (${storedWhere})`);
    }
    if (summed) {
      parts.push(`select unit_key, period_kind, period_key, v,
               first_value(village) over w as village, first_value(commune) over w as commune,
               first_value(district) over w as district, first_value(province) over w as province
          from (
            select m.unit_key, k.kind as period_kind,
                   ${periodOfMonth('m.period_key', 'k.kind')} as period_key,
                   m.period_key as month, m.v, m.village, m.commune, m.district, m.province
              from ${t('cells')} m cross join unnest($${summedAt}::text[]) as k(kind)
             where m.view = 'as-recorded' and m.level = 'team' and m.period_kind = 'month' and m.period_key <= $${summedAt + 1} and (${summedTeams})
          ) c
         where ${summed.sql}
        window w as (partition by unit_key, period_kind, period_key order by month desc)`);
    }
    return parts.join('\n        union all\n        ');
  };
  const placedUnder = cellsUnder(under, 'team', PARENT);
  // Teams with a month cell under the parent: a summed cell's placement, its latest month's, is checked after.
  const monthsUnder = `m.unit_key in (select x.unit_key from ${t('cells')} x where x.view = 'as-recorded' and x.level = 'team' and x.period_kind = 'month' and x.period_key <= $${summedAt + 1} and ${placedUnder})`;
  const byRecord = `c.unit_key in (select k.team_id from ${t('teams')} k where ${currentlyUnderKeys(under, PARENT)})`;
  const placed: string =
    stored || summed
      ? query.view === 'as-recorded'
        ? `select c.unit_key as team_id, c.period_kind, c.period_key, c.v from (${teamCells(placedUnder, monthsUnder)}) c where ${placedUnder}`
        : `select c.unit_key as team_id, c.period_kind, c.period_key, c.v from (${teamCells(byRecord, byRecord.replace('c.unit_key', 'm.unit_key'))}) c
         union all
         select c.unit_key, c.period_kind, c.period_key, c.v from (${under === 'district' ? teamCells('false', 'false') : teamCells(placedUnder, monthsUnder)}) c
          where ${under === 'district' ? 'false' : placedUnder}
            and not exists (select 1 from ${t('teams')} k where k.team_id = c.unit_key)`
      : `select null::text as team_id, null::text as period_kind, null::text as period_key, null::int8[] as v where false`;

  /**
   * Team × week cells under the parent (fine cells, model2-rows.ts): a team's week is placed by its latest
   * contributor (its facts and stock facts of scope both, the latest day, a stock before a fact, then the
   * last written). As recorded, the teams with a contributor recorded under the parent in the week (every
   * team with a month cell in the week's months, under the nation), then their contributors; in the
   * current view, the teams whose record is under the parent with a contributor in the week, and teams
   * without a record placed by their latest contributor.
   */
  const contributors = (teams: string): string => `select f.team_id, f.day, 0 as src, f.seq, f.commune_code || '/' || f.village as village, f.commune_code as commune,
             f.district_code as district, f.province_code as province
        from ${t('facts')} f where f.team_id = any(array(${teams})) and f.day >= p.first and f.day <= p.last
      union all
      select s.team_id, s.day, 1, s.seq, s.commune_code || '/' || s.village, s.commune_code, s.district_code, s.province_code
        from ${t('stock_facts')} s where s.scope = 'both' and s.team_id = any(array(${teams})) and s.day >= p.first and s.day <= p.last`;
  const latestPlaced = (teams: string, where: string): string => `select l.team_id, l.period_kind, l.period_key from (
    select distinct on (x.team_id, p.key) x.team_id, x.team_id as unit_key, p.kind as period_kind, p.key as period_key, x.village, x.commune, x.district, x.province
      from periods p cross join lateral (${contributors(teams)}) x
     where p.kind = 'week'
     order by x.team_id, p.key, x.day desc, x.src desc, x.seq desc
  ) l where ${where}`;
  const recordedInWeek =
    under === 'nation'
      ? `select m.unit_key from ${t('cells')} m where m.view = 'as-recorded' and m.level = 'team' and m.period_kind = 'month' and m.period_key in (left(p.first, 7), left(p.last, 7))`
      : `select f.team_id from ${t('facts')} f where f.day >= p.first and f.day <= p.last and ${recordedUnderKeys(under, 'f', t, PARENT, 'p.last')}
         union select s.team_id from ${t('stock_facts')} s where s.scope = 'both' and s.day >= p.first and s.day <= p.last and ${recordedUnderKeys(under, 's', t, PARENT, 'p.last')}`;
  const weekPlaced =
    query.view === 'as-recorded'
      ? latestPlaced(recordedInWeek, placedUnder)
      : `select distinct x.team_id, p.kind as period_kind, p.key as period_key
           from periods p cross join lateral (${contributors(`select k.team_id from ${t('teams')} k where ${currentlyUnderKeys(under, PARENT)}`)}) x where p.kind = 'week'
         union all
         ${latestPlaced(unknownTeams(t), under === 'district' ? 'false' : placedUnder)}`;
  const hasWeeks = plan.periods.some((period) => period.kind === 'week');
  // The count codes asked, by name: a week's counts come from its facts' codes, not a cell's slots.
  const weekCodesAt = hasWeeks && counts.length > 0 ? params.push(counts.map((c) => STORED_INDICATOR_CODES[c.slot - 1])) : 0;
  const branches: string[] = [];
  if (counts.length > 0) {
    branches.push(`select c.team_id, p.p, w.i, c.v[w.slot]::float8 as value
    from placed c join periods p on p.kind = c.period_kind and p.key = c.period_key
   cross join unnest($6::int[], $7::int[]) as w(slot, i)
   where c.v[w.slot] <> 0`);
    if (hasWeeks) {
      // A week's counts: its team's facts of the week, one per count code they carry.
      branches.push(`select c.team_id, p.p, w.i, count(*)::float8 as value
    from week_placed c join periods p on p.kind = c.period_kind and p.key = c.period_key
    join ${t('facts')} f on f.team_id = c.team_id and f.day >= p.first and f.day <= p.last
   cross join lateral unnest(f.counts) as cc(code)
    join unnest($${weekCodesAt}::text[], $7::int[]) as w(code, i) on w.code = cc.code
   group by 1, 2, 3`);
    }
  }
  if (stocks.length > 0) {
    branches.push(`select c.team_id, p.p, w.i, sum(c.v[w.slot])::float8 as value
    from placed c join periods p on p.kind = c.period_kind and c.period_key <= p.key
   cross join unnest($8::int[], $9::int[]) as w(slot, i)
   group by 1, 2, 3 having sum(c.v[w.slot]) <> 0`);
  }
  if (distinct.length > 0) {
    // Per team cell of an asked period under the parent, its facts of the period through facts_by_team.
    branches.push(`select c.team_id, p.p, d.i, d.n::float8 as value
    from (select distinct team_id, period_kind, period_key from placed${hasWeeks ? ' union select team_id, period_kind, period_key from week_placed' : ''}) c
    join periods p on p.kind = c.period_kind and p.key = c.period_key
   cross join lateral (
     select w.i, count(distinct s.subject) as n
       from ${t('facts')} f cross join lateral unnest(f.subject_codes, f.subjects) as s(code, subject)
       join unnest($10::text[], $11::int[]) as w(code, i) on w.code = s.code
      where f.team_id = c.team_id and f.day >= p.first and f.day <= p.last
      group by w.i) d`);
  }
  const sql = `with params as (
  -- Every parameter typed, whichever of them this query's text uses (an unreferenced CTE is not run).
  select $1::text as parent, $6::int[] as count_slots, $7::int[] as count_at, $8::int[] as stock_slots, $9::int[] as stock_at,
         $10::text[] as distinct_codes, $11::int[] as distinct_at
),
periods as (
  select x.kind, x.key, x.first, x.last, (x.n - 1)::int as p
    from unnest($2::text[], $3::text[], $4::text[], $5::text[]) with ordinality as x(kind, key, first, last, n)
),
placed as materialized (${placed}),
week_placed as materialized (${hasWeeks ? weekPlaced : 'select null::text as team_id, null::text as period_kind, null::text as period_key where false'})
select team_id, p, i, value from (
  ${branches.join('\n  union all\n  ')}
) r`;
  // As the rows statement: no JIT (a plan over jit_above_cost compiles for longer than this runs).
  const { rows } = await db.transaction(async (tx) => {
    await tx.query(`set local jit = off`);
    return tx.query<ValueRow>(sql, params);
  });

  const units = new Map<string, UnitFiguresUnder>();
  for (const row of rows) {
    let unit = units.get(row.team_id);
    if (!unit) units.set(row.team_id, (unit = blankUnit(answer, row.team_id)));
    unit.values[row.p * width + row.i] += Number(row.value);
  }
  for (const unit of units.values()) if (unit.values.some((value) => value !== 0)) answer.units.push(unit);
  if (plan.targetIndicators.length > 0 && answer.units.length > 0) await readTargets(db, t, answer);
  return sortedFiguresUnder(answer);
}

/** Targets of the answer's units for its periods and target indicators, as the reference reads them. */
async function readTargets(db: SqlDatabase, t: (table: string) => string, answer: FiguresUnder): Promise<void> {
  const found = await db.query<{ unit_key: string; indicator: string; period: string; value: number }>(
    `select unit_key, indicator, period, value from ${t('targets')} where unit_key = any($1::text[]) and period = any($2::text[]) and indicator = any($3::text[])`,
    [answer.units.map((unit) => unit.unitKey), answer.periods, answer.targetIndicators],
  );
  const byUnit = new Map(answer.units.map((unit) => [unit.unitKey, unit]));
  const width = answer.targetIndicators.length;
  for (const r of found.rows) {
    const unit = byUnit.get(r.unit_key);
    if (unit) unit.targets[answer.periods.indexOf(r.period) * width + answer.targetIndicators.indexOf(r.indicator)] = Number(r.value);
  }
}
