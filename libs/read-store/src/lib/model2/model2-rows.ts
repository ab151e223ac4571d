import { INDICATORS, type Level, type View } from '@cdt/domain-kpi';

const COUNT_CODES: ReadonlySet<string> = new Set(INDICATORS.filter((i) => i.definition.kind === 'count').map((i) => i.code));

/**
 * Which facts a query reads: `period`, the facts of the asked period (flows: counts and distinct
 * subjects of that period); `history`, every fact up to the period's end (a children list at a fine
 * level: any row of the kind up to the end); `countless`, facts up to the end that add to no count (a
 * children list at a materialised level: every other fact already shows in its cell's counts).
 */
export type FactReach = 'period' | 'history' | 'countless';

export interface RowsScope {
  readonly view: View;
  /** The unit the facts are read under (pushed down to the indexes); its keys are $8. */
  readonly level: Level;
  readonly reach: FactReach;
  /** Fine rows (team × day and week, village × any period) are built: the levels asked include one. */
  readonly fine: boolean;
  /** Materialised levels whose distinct counts are computed from the facts read, each with the indicators wanted (all when absent). */
  readonly distinct: readonly { readonly level: Level; readonly codes?: readonly string[] }[];
  /** The indicators the fine rows are wanted for (all when absent). */
  readonly fineCodes?: readonly string[];
  /** A condition over the cells' own columns (level, unit_key, period_key, village … province) that every wanted cell row meets. */
  readonly cellFilter: string;
}

/** `expr` is one of `codes` (true when every code is wanted). Codes are catalog constants, never input. */
const oneOf = (expr: string, codes: readonly string[] | undefined): string =>
  codes === undefined ? 'true' : codes.length === 0 ? 'false' : `${expr} in (${codes.map((code) => `'${code.replace(/'/g, "''")}'`).join(', ')})`;

const FACT_COLUMNS = 'f.seq, f.team_id, f.day, f.counts, f.subject_codes, f.subjects';
const STOCK_COLUMNS = `s.seq, s.team_id, s.day, s.indicator, s.delta, s.scope = 'both' as with_team`;
/** Stock facts are read up to the period's end (stocks sum from the start); the current view has only `both`. */
const STOCK_DAYS = `s.day <= $4 and ($1 = 'as-recorded' or s.scope = 'both')`;
/** The facts a reach reads (scoped and fine alike; earlier facts place earlier fine cells only as challengers). */
const FACT_DAYS: Record<FactReach, string> = {
  period: 'f.day >= $7 and f.day <= $4',
  history: 'f.day <= $4',
  countless: 'f.day <= $4 and cardinality(f.counts) = 0',
};

/**
 * Rows of `alias` (facts or stock facts) recorded under one of the keys $8 at `level`. A district is
 * found through its communes' day cells (as recorded, placed on the day itself), so no district index;
 * a province through its communes' month cells (a commune changes province only at the reform, on
 * 2025-07-01, a month's first day, so a month cell is placed in the province of each of its days; a
 * commune code kept across the reform is read whole and its rows filtered by province), so the facts
 * keep no province index (ADR 0010, "Fewer rows and indexes per event").
 */
export const recordedUnderKeys = (level: Level, a: string, t: (table: string) => string, keys = '$8::text[]', lastDay = '$4'): string => {
  switch (level) {
    case 'nation':
      return 'true';
    case 'province':
      return `${a}.province_code = any(${keys}) and ${a}.commune_code = any(array(
        select distinct unit_key from ${t('cells')} where view = 'as-recorded' and period_kind = 'month' and level = 'commune' and province = any(${keys}) and period_key <= left(${lastDay}, 7)))`;
    case 'district':
      return `${a}.district_code = any(${keys}) and ${a}.commune_code = any(array(
        select unit_key from ${t('cells')} where view = 'as-recorded' and period_kind = 'day' and level = 'commune' and district = any(${keys}) and period_key <= ${lastDay}))`;
    case 'commune':
      return `${a}.commune_code = any(${keys})`;
    case 'village':
      return `${a}.commune_code = any(array(select split_part(k, '/', 1) from unnest(${keys}) k)) and ${a}.commune_code || '/' || ${a}.village = any(${keys})`;
    case 'team':
      return `${a}.team_id = any(${keys})`;
    default: {
      const _exhaustive: never = level;
      return _exhaustive;
    }
  }
};

const ANCESTOR_COLUMN: Partial<Record<Level, string>> = { village: 'village', commune: 'commune', district: 'district', province: 'province' };

/** Cell rows (their own columns) at `childLevel` under (level, one of the keys `param`): a unit is under itself; the nation holds everything. */
export const cellsUnder = (level: Level, childLevel: Level, param: string): string => {
  if (level === 'nation') return `${param} is not null`;
  if (level === childLevel) return `unit_key = any(${param})`;
  const column = ANCESTOR_COLUMN[level];
  return column ? `${column} = any(${param})` : 'false';
};

/** Teams (`k`, the teams table) whose current record is under one of the keys $8 at `level` (the current view has no district). */
export const currentlyUnderKeys = (level: Level, keys = '$8::text[]'): string => {
  switch (level) {
    case 'nation':
      return 'true';
    case 'province':
      return `k.record->>'provinceCode' = any(${keys})`;
    case 'district':
      return 'false';
    case 'commune':
      return `k.record->>'communeCode' = any(${keys})`;
    case 'village':
      return `(k.record->>'communeCode') || '/' || (k.record->>'village') = any(${keys})`;
    case 'team':
      return `k.team_id = any(${keys})`;
    default: {
      const _exhaustive: never = level;
      return _exhaustive;
    }
  }
};

/**
 * The facts (or stock facts) under the scope, placed in the view: as recorded where they were recorded;
 * in the current view under their team's record today (the teams under the unit, then their facts), or under their
 * own commune and province when the team has no record.
 */
const placedSource = (
  scope: { readonly view: View; readonly level: Level },
  t: (table: string) => string,
  table: 'facts' | 'stock_facts',
  columns: string,
  days: string,
  keys = '$8::text[]',
): string => {
  const a = table === 'facts' ? 'f' : 's';
  const recordedUnder = (level: Level, alias: string, tables: (table: string) => string) => recordedUnderKeys(level, alias, tables, keys);
  const currentlyUnder = (level: Level) => currentlyUnderKeys(level, keys);
  if (scope.view === 'as-recorded') {
    return `select ${columns}, ${a}.commune_code as commune, ${a}.commune_code || '/' || ${a}.village as village, ${a}.district_code as district,
                   ${a}.province_code as province, ${a}.day as placed_on
              from ${t(table)} ${a} where ${days} and ${recordedUnder(scope.level, a, t)}`;
  }
  const unknownUnder = scope.level === 'district' ? 'false' : recordedUnder(scope.level, a, t);
  // The unit's teams as an array, so their facts are read through (team_id, day) rather than a scan of the period.
  const teamsUnder = scope.level === 'nation' ? 'true' : `${a}.team_id = any(array(select k.team_id from ${t('teams')} k where ${currentlyUnder(scope.level)}))`;
  return `select ${columns}, k.record->>'communeCode' as commune, (k.record->>'communeCode') || '/' || (k.record->>'village') as village, null::text as district,
                 k.record->>'provinceCode' as province, k.record->>'since' as placed_on
            from ${t('teams')} k join ${t(table)} ${a} on ${a}.team_id = k.team_id
           where ${days} and ${teamsUnder}
          union all
          select ${columns}, ${a}.commune_code, ${a}.commune_code || '/' || ${a}.village, null::text, ${a}.province_code, ${a}.day
            from ${t(table)} ${a} where ${days} and ${unknownUnder} and ${
              table === 'facts' ? `${a}.team_id = any(array(select team_id from unknown_teams))` : `not exists (select 1 from ${t('teams')} k where k.team_id = ${a}.team_id)`
            }`;
};

/**
 * Teams with facts but no record (the current view places their facts by the facts' own columns): those
 * the store noted when it wrote their facts (unrecorded_teams, a handful), less those with a record now,
 * instead of an anti-join over every fact of the unit (2026-11-26: 40 ms of the province's facts, 130 ms
 * of the communes' earlier facts in a drill-down).
 */
export const unknownTeams = (t: (table: string) => string): string =>
  `select u.team_id from ${t('unrecorded_teams')} u where not exists (select 1 from ${t('teams')} k where k.team_id = u.team_id)`;
const UNKNOWN_TEAMS = (t: (table: string) => string): string => `unknown_teams as (
  ${unknownTeams(t)}
)`;

const PERIOD_OF_DAY = (day: string): string => `case $2
       when 'day' then ${day}
       when 'week' then to_char(${day}::date, 'IYYY-"W"IW')
       when 'month' then left(${day}, 7)
       when 'quarter' then left(${day}, 4) || '-Q' || ((substr(${day}, 6, 2)::int + 2) / 3)
       else left(${day}, 4) end`;

/** A month key's quarter or year (`kind`, the asked kind $2 by default). */
export const periodOfMonth = (month: string, kind = '$2'): string =>
  `case ${kind} when 'quarter' then left(${month}, 4) || '-Q' || ((substr(${month}, 6, 2)::int + 2) / 3) else left(${month}, 4) end`;
/** `a` is an as-recorded team month cell up to the asked period's last month ($4: its last day). */
const TEAM_MONTH = (a: string): string => `${a}.view = 'as-recorded' and ${a}.level = 'team' and ${a}.period_kind = 'month' and ${a}.period_key <= left($4, 7)`;

/**
 * Team × quarter or year ($2) up to the asked period, as rows of the cells they would be (cells.ts,
 * teamCellsFromMonths: not stored, summed from the team month cells): per team and period, each
 * indicator's sum over the months (zero sums left out), placed as the latest month. `teams` picks the
 * teams read, over a month cell `x` (a team is read whole when any of its months meets it): the scope's
 * cell filter as recorded, so a drill-down reads the month cells under the unit and then those teams' other
 * months. Yields (level, unit_key, period_key, indicator, value, village, commune, district, province).
 */
const teamRowsFromMonths = (t: (table: string) => string, teams: string): string => {
  const ofTeams = `c.unit_key in (select x.unit_key from ${t('cells')} x where ${TEAM_MONTH('x')} and (${teams}))`;
  return `select 'team'::text as level, s.unit_key, s.period_key, s.indicator, s.value, l.village, l.commune, l.district, l.province
    from (
      select c.unit_key, ${periodOfMonth('c.period_key')} as period_key, x.indicator, sum(x.value) as value
        from ${t('cells')} c cross join lateral unnest(c.v, $5::text[]) as x(value, indicator)
       where ${TEAM_MONTH('c')} and ${ofTeams} and x.value <> 0
       group by 1, 2, 3 having sum(x.value) <> 0
    ) s join (
      select distinct on (c.unit_key, ${periodOfMonth('c.period_key')}) c.unit_key, ${periodOfMonth('c.period_key')} as period_key,
             c.village, c.commune, c.district, c.province
        from ${t('cells')} c where ${TEAM_MONTH('c')} and ${ofTeams}
       order by c.unit_key, ${periodOfMonth('c.period_key')}, c.period_key desc
    ) l using (unit_key, period_key)`;
};

/**
 * As recorded, per earlier cell of `cells` (ec: its latest stock day `s`, its period's first and last
 * day), the latest fact of that cell (`match`, over f and ec) after the stock, through one index probe.
 */
const latestFactAfterStocks = (t: (table: string) => string, name: string, cells: string, match: string): string => `${name} as (
  select f.seq, f.team_id, f.day, f.commune_code as commune, f.commune_code || '/' || f.village as village, f.district_code as district,
         f.province_code as province, f.day as placed_on
    from ${cells} ec cross join lateral (
      select f.seq, f.team_id, f.day, f.commune_code, f.village, f.district_code, f.province_code from ${t('facts')} f
       where ${match} and f.day > ec.s and f.day >= ec.first_day and f.day <= ec.last_day
       order by f.day desc, f.seq desc limit 1) f
)`;

/**
 * The facts before the asked period that can place an earlier period's fine cell holding a stock row
 * (only such cells yield rows there: earlier facts count nothing). A fine cell is placed by its latest
 * contributor (placed_on, then stock before fact, then seq), so a fact decides only where its placed_on
 * is later than every stock row's of the cell, and then only the latest such fact. A team × day cell never:
 * its facts and stock rows share placed_on (the day as recorded, the record's `since` in the current view)
 * and a stock row wins the tie; nor a team × week cell in the current view (placed_on is the record's
 * `since`). As recorded, a team × week cell: its team's latest fact in the week after the cell's latest
 * stock day (one probe of facts_by_team per cell; it is also a contributor of its village's cell, where it
 * cannot outrank that cell's own challenger). For a village cell: as recorded, its latest fact after the cell's latest
 * stock day (one probe of facts_by_commune per cell); in the current view, the teams now in the village
 * whose `since` is later, by their facts in the period (facts_by_team), and the latest fact after the stock
 * rows of a team the model does not know (placed by its own columns and day; unknown_teams). Replaces reading every
 * earlier fact of the cells' communes (2026-11-26: 1.3 s of a 2 s drill-down).
 */
const challengerCtes = (view: View, t: (table: string) => string): string[] => {
  const earlier = `earlier_cells as (
  select village, commune, substr(village, length(commune) + 2) as raw_village, period_key, max(placed_on) as s,
         to_char(first, 'YYYY-MM-DD') as first_day,
         to_char(first + case $2 when 'quarter' then interval '3 months' else ('1 ' || $2)::interval end - interval '1 day', 'YYYY-MM-DD') as last_day
    from (select s.village, s.commune, ${PERIOD_OF_DAY('s.day')} as period_key, s.placed_on, date_trunc($2, s.day::date) as first from fine_stocks s) x
   where period_key <> $3 and village is not null and 'village' = any($6::text[])
   group by village, commune, period_key, first
)`;
  if (view === 'as-recorded') {
    return [
      earlier,
      // A team × week cell holding a stock row (with_team), as recorded: its team's latest fact after the
      // cell's latest stock day, in that week (facts_by_team).
      `earlier_team_cells as (
  select team_id, period_key, max(placed_on) as s, to_char(first, 'YYYY-MM-DD') as first_day,
         to_char(first + interval '6 days', 'YYYY-MM-DD') as last_day
    from (select s.team_id, ${PERIOD_OF_DAY('s.day')} as period_key, s.placed_on, date_trunc('week', s.day::date) as first from fine_stocks s where s.with_team) x
   where $2 = 'week' and period_key <> $3 and 'team' = any($6::text[])
   group by team_id, period_key, first
)`,
      latestFactAfterStocks(t, 'team_challengers', 'earlier_team_cells', 'f.team_id = ec.team_id'),
      latestFactAfterStocks(t, 'challengers', 'earlier_cells', 'f.commune_code = ec.commune and f.village = ec.raw_village'),
    ];
  }
  return [
    earlier,
    `challengers as (
  select m.seq, n.team_id, m.day, n.commune, n.commune || '/' || n.village as village, null::text as district, n.province, n.since as placed_on
    from earlier_cells ec join teams_now n on n.commune = ec.commune and n.village = ec.raw_village and n.since > ec.s
   cross join lateral (select max(f.seq) as seq, max(f.day) as day from ${t('facts')} f where f.team_id = n.team_id and f.day >= ec.first_day and f.day <= ec.last_day) m
   where m.seq is not null
  union all
  select * from (
    select distinct on (ec.village, ec.period_key) f.seq, f.team_id, f.day, f.commune_code, f.commune_code || '/' || f.village, null::text, f.province_code, f.day
      from unknown_teams u join ${t('facts')} f on f.team_id = u.team_id
      join earlier_cells ec on ec.commune = f.commune_code and ec.raw_village = f.village and f.day > ec.s and f.day >= ec.first_day and f.day <= ec.last_day
     order by ec.village, ec.period_key, f.day desc, f.seq desc
  ) unknown
)`,
  ];
};

/** A fact's unit at a materialised level, from its placed columns (null: none there). */
const UNIT_AT: Record<Level, string> = { team: 'f.team_id', village: `f.village`, commune: 'f.commune', district: 'f.district', province: 'f.province', nation: `'VN'` };

/**
 * Model 2's figure rows of one view and period kind, as model 1 would hold them (in-memory-model2.ts,
 * `model2Rows`, in SQL), for the facts under one unit: materialised cells expanded into (indicator,
 * value), the current view's team cells placed where the team is today; distinct counts of materialised
 * cells as `count(distinct subject)` over the facts read (`distinctFigureRows`), each placed as its
 * cell (or, for a cell that does not exist, as its latest fact); fine cells (team × day and week, village × any
 * period) summed from those facts and from stock facts up to the end, each placed as its latest-day
 * contributor (ties: the last written).
 *
 * Parameters: $1 view, $2 period kind, $3 period key, $4 its last day, $5 the stored indicator codes in
 * vector order, $6 the levels wanted, $7 its first day, $8 the scope's unit keys. Yields `rows(level,
 * unit_key, period_key, indicator, value, village, commune, district, province)`, zero values left out.
 */
export const model2RowsSql = (t: (table: string) => string, scope: RowsScope, teamsFromMonths = false): string => {
  const ctes: string[] = [
    // Every parameter typed, whichever of them this scope's text uses (an unreferenced CTE is not run).
    `params as (select $1::text as view, $2::text as kind, $3::text as period_key, $4::text as last_day, $7::text as first_day, $8::text[] as scope_keys)`,
    `teams_now as (
  select team_id, record->>'communeCode' as commune, record->>'village' as village, record->>'provinceCode' as province, record->>'since' as since
    from ${t('teams')}
)`,
    UNKNOWN_TEAMS(t),
    `scoped_facts as (${placedSource(scope, t, 'facts', FACT_COLUMNS, FACT_DAYS[scope.reach])})`,
  ];
  // Team cells of the kind: stored, or (quarter, year) summed from the months, then a team cell of such a
  // kind a schema may still hold from before is not read.
  const storedTeamRows = `select c.level, c.unit_key, c.period_key, x.indicator, x.value, c.village, c.commune, c.district, c.province
      from ${t('cells')} c cross join lateral unnest(c.v, $5::text[]) as x(value, indicator)
     where c.view = 'as-recorded' and c.level = 'team' and c.period_kind = $2 and c.period_key <= $3 and x.value <> 0`;
  const branches: string[] = [
    `select c.level, c.unit_key, c.period_key, x.indicator, x.value, c.village, c.commune, c.district, c.province
    from ${t('cells')} c cross join lateral unnest(c.v, $5::text[]) as x(value, indicator)
   where c.view = $1 and c.period_kind = $2 and c.period_key <= $3 and c.level = any($6::text[]) and (${scope.cellFilter}) and x.value <> 0${teamsFromMonths ? ` and c.level <> 'team'` : ''}`,
    ...(teamsFromMonths && scope.view === 'as-recorded'
      ? [
          `select * from (${teamRowsFromMonths(t, scope.cellFilter)}) c
   where 'team' = any($6::text[]) and (${scope.cellFilter})`,
        ]
      : []),
    `select c.level, c.unit_key, c.period_key, c.indicator, c.value,
         case when n.team_id is null then c.village else n.commune || '/' || n.village end,
         case when n.team_id is null then c.commune else n.commune end,
         null,
         case when n.team_id is null then c.province else n.province end
    from (${teamsFromMonths ? teamRowsFromMonths(t, 'true') : storedTeamRows}) c left join teams_now n on n.team_id = c.unit_key
   where $1 = 'current' and 'team' = any($6::text[])`,
  ];
  if (scope.distinct.length > 0) {
    // Facts of one period all have its key; wider reaches compute each fact's.
    const periodOf = scope.reach === 'period' ? '$3::text' : PERIOD_OF_DAY('f.day');
    // Per level: distinct (unit, period, indicator, subject), hashed, then counted.
    const perLevel = scope.distinct.map(
      ({ level, codes }) => `select distinct '${level}'::text as level, ${UNIT_AT[level]} as unit_key, ${periodOf} as period_key, s.code as indicator, s.subject
      from scoped_facts f cross join lateral unnest(f.subject_codes, f.subjects) as s(code, subject)
     where ${UNIT_AT[level]} is not null and ${oneOf('s.code', codes)}`,
    );
    ctes.push(`dist_values as (
  select level, unit_key, period_key, indicator, count(*)::bigint as value from (
    ${perLevel.join('\n    union all\n    ')}
  ) d group by 1, 2, 3, 4
)`);
    const unitOf = `case d.level when 'team' then u.team_id when 'commune' then u.commune when 'district' then u.district when 'province' then u.province else 'VN' end`;
    // A team cell sits under as-recorded in both views; the current view places it by the team record.
    // A distinct figure without a cell (none expected) is placed as its latest fact (distinctFigureRows' rule).
    branches.push(`select d.level, d.unit_key, d.period_key, d.indicator, d.value,
         coalesce(case when n.team_id is null then c.village else n.commune || '/' || n.village end, p.p_village),
         case when c.unit_key is null then p.commune when n.team_id is null then c.commune else n.commune end,
         case when c.unit_key is null then p.district when $1 = 'current' and d.level = 'team' then null else c.district end,
         case when c.unit_key is null then p.province when n.team_id is null then c.province else n.province end
    from dist_values d
    ${
      teamsFromMonths
        ? `left join lateral (
      select c.unit_key, c.village, c.commune, c.district, c.province from ${t('cells')} c
       where d.level <> 'team' and c.view = $1 and c.level = d.level and c.unit_key = d.unit_key and c.period_kind = $2 and c.period_key = d.period_key
      union all
      (select m.unit_key, m.village, m.commune, m.district, m.province from ${t('cells')} m
        where d.level = 'team' and ${TEAM_MONTH('m')} and m.unit_key = d.unit_key and ${periodOfMonth('m.period_key')} = d.period_key
        order by m.period_key desc limit 1)
    ) c on true`
        : `left join ${t('cells')} c on c.view = case when d.level = 'team' then 'as-recorded' else $1 end and c.level = d.level and c.unit_key = d.unit_key
     and c.period_kind = $2 and c.period_key = d.period_key`
    }
    left join teams_now n on $1 = 'current' and d.level = 'team' and c.unit_key is not null and n.team_id = d.unit_key
    left join lateral (
      select case when d.level = 'team' then u.village end as p_village, case when d.level = 'team' then u.commune end as commune,
             case when d.level in ('commune', 'team') then u.district end as district,
             case when d.level in ('commune', 'district', 'team') then u.province end as province
        from scoped_facts u where c.unit_key is null and ${unitOf} = d.unit_key and ${PERIOD_OF_DAY('u.day')} = d.period_key
       order by u.placed_on desc, u.seq desc limit 1) p on true
   where d.value <> 0`);
  }
  if (scope.fine) {
    // A fact's or stock row's fine units (village × any period; team × day and week), each with its placement's village.
    const unitsOf = (a: string, withTeam: string) => `cross join lateral (
     select 'village' as level, ${a}.village as unit_key, null::text as p_village where 'village' = any($6::text[])
     union all
     select 'team', ${a}.team_id, ${a}.village where $2 in ('day', 'week') and ${withTeam} and 'team' = any($6::text[])
   ) u`;
    // The fine facts are all counted: the period's (reach period) or every one up to the end.
    const factPeriod = scope.reach === 'period' ? '$3::text' : PERIOD_OF_DAY('f.day');
    // Counts only when some count is wanted (coverage reads only active teams and registered teams).
    const fineCounts =
      scope.fineCodes === undefined || scope.fineCodes.some((code) => COUNT_CODES.has(code))
        ? `  select u.level, u.unit_key, ${factPeriod} as period_key, code as indicator, count(*)::bigint as value
    from fine_facts f ${unitsOf('f', 'true')} cross join lateral unnest(f.counts) as code where ${oneOf('code', scope.fineCodes)} group by 1, 2, 3, 4
  union all
`
        : '';
    // A commune's or the nation's scoped facts (and stock rows) are those of their fine communes: not read
    // again, and the facts not copied (fine_facts inlined where it is read); fine_communes is then built
    // only for the team × day and week contributors outside them.
    const reuse = scope.level === 'commune' || scope.level === 'nation';
    ctes.push(
      // Who else counts in the fine cells the scope reaches: a village's contributors share its commune, a
      // team's are its own, and a fine cell is placed by its latest contributor, under the unit or not.
      `scoped_stocks as (${placedSource(scope, t, 'stock_facts', STOCK_COLUMNS, STOCK_DAYS)})`,
      `fine_communes as (select commune from scoped_facts where commune is not null union select commune from scoped_stocks where commune is not null)`,
      `fine_teams as (select team_id from scoped_facts where $2 in ('day', 'week') union select team_id from scoped_stocks where $2 in ('day', 'week') and with_team)`,
      `fine_stocks as (
  ${reuse ? 'select * from scoped_stocks' : placedSource({ view: scope.view, level: 'commune' }, t, 'stock_facts', STOCK_COLUMNS, STOCK_DAYS, 'array(select commune from fine_communes)')}
  union all
  select * from (
    ${placedSource({ view: scope.view, level: 'team' }, t, 'stock_facts', STOCK_COLUMNS, STOCK_DAYS, 'array(select team_id from fine_teams)')}
  ) s where not coalesce(s.commune = any(array(select commune from fine_communes)), false)
)`,
      `fine_facts as ${reuse ? 'not materialized ' : ''}(
  ${reuse ? 'select * from scoped_facts' : placedSource({ view: scope.view, level: 'commune' }, t, 'facts', FACT_COLUMNS, FACT_DAYS[scope.reach], 'array(select commune from fine_communes)')}
  union all
  select * from (
    ${placedSource({ view: scope.view, level: 'team' }, t, 'facts', FACT_COLUMNS, FACT_DAYS[scope.reach], 'array(select team_id from fine_teams)')}
  ) f where not coalesce(f.commune = any(array(select commune from fine_communes)), false)
)`,
      ...(scope.reach === 'period' ? challengerCtes(scope.view, t) : []),
      // Placement only: narrow rows (no counts or subjects), each contributor once per fine unit it is in.
      // Contributors sharing (placed_on, stock or fact, placement) first reduced to their last written (hashed:
      // in the current view a team's facts share one placed_on), so the sort that picks the latest is short.
      `fine_placed as (
  select distinct on (level, unit_key, period_key) level, unit_key, period_key, village, commune, district, province from (
  select u.level, u.unit_key, pk.key as period_key, c.placed_on, c.src, max(c.seq) as seq, u.p_village as village, c.commune, c.district, c.province
    from (
      select 0 as src, f.seq, f.team_id, f.day, true as with_team, f.commune, f.village, f.district, f.province, f.placed_on from fine_facts f
      union all
      select 1, s.seq, s.team_id, s.day, s.with_team, s.commune, s.village, s.district, s.province, s.placed_on from fine_stocks s${
        scope.reach === 'period'
          ? `
      union all
      select 0, c.seq, c.team_id, c.day, false, c.commune, c.village, c.district, c.province, c.placed_on from challengers c${
        scope.view === 'as-recorded'
          ? `
      union all
      select 0, c.seq, c.team_id, c.day, true, c.commune, c.village, c.district, c.province, c.placed_on from team_challengers c`
          : ''
      }`
          : ''
      }
    ) c
   cross join lateral (select ${PERIOD_OF_DAY('c.day')} as key) pk
   ${unitsOf('c', 'c.with_team')}
   group by 1, 2, 3, 4, 5, 7, 8, 9, 10
  ) g
   order by level, unit_key, period_key, placed_on desc, src desc, seq desc
)`,
      `fine_values as (
${fineCounts}  select u.level, u.unit_key, ${PERIOD_OF_DAY('s.day')} as period_key, s.indicator, sum(s.delta)::bigint as value
    from fine_stocks s ${unitsOf('s', 's.with_team')} where ${oneOf('s.indicator', scope.fineCodes)} group by 1, 2, 3, 4
  union all
  select level, unit_key, period_key, indicator, count(*)::bigint from (
    select distinct u.level, u.unit_key, f.period_key, f.code as indicator, f.subject
      from (
        -- (village, team, period, indicator, subject) first: hashed, and far fewer than the facts
        select distinct f.village, f.team_id, ${factPeriod} as period_key, x.code, x.subject
          from fine_facts f cross join lateral unnest(f.subject_codes, f.subjects) as x(code, subject) where ${oneOf('x.code', scope.fineCodes)}
      ) f ${unitsOf('f', 'true')}
  ) d group by 1, 2, 3, 4
)`,
    );
    branches.push(`select v.level, v.unit_key, v.period_key, v.indicator, v.value, p.village, p.commune, p.district, p.province
    from fine_values v join fine_placed p using (level, unit_key, period_key)
   where v.value <> 0`);
  }
  ctes.push(`rows as (\n  ${branches.join('\n  union all\n  ')}\n)`);
  return `with ${ctes.join(',\n')}`;
};
