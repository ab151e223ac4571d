import { STORED_INDICATOR_CODES } from '@cdt/domain-kpi';
import type { SqlClient } from '@cdt/read-store';
import type { Compared, FigureDifference } from './verify-kpi-model';

const KEY = ['view', 'level', 'unit_key', 'period_kind', 'period_key', 'indicator'] as const;

/** A model-2 schema's cells as figure rows: one per cell and stored indicator with a non-zero value. */
const cellFigures = (schema: string, codes: string) =>
  `select c.view, c.level, c.unit_key, c.period_kind, c.period_key, codes.code as indicator, c.v[codes.i] as value
     from ${schema}.cells c cross join unnest(${codes}::text[]) with ordinality as codes(code, i)
    where coalesce(c.v[codes.i], 0) <> 0`;

/**
 * What else a model-2 answer is computed from, as one text line per row (write-order `seq` left out): live
 * facts, stock facts, the placement of every cell that holds a value, and the projector's team records.
 */
const rowLines = (schema: string) => `
  select 'fact' as what, team_id as unit, day as period,
         concat_ws('|', activity_id, team_id, commune_code, village, district_code, province_code, day, counts::text, subject_codes::text, subjects::text) as line
    from ${schema}.facts
  union all
  select 'stock fact', team_id, day, concat_ws('|', event_id, team_id, commune_code, village, district_code, province_code, day, indicator, delta, scope) from ${schema}.stock_facts
  union all
  select 'cell placement', unit_key, period_key, concat_ws('|', view, level, unit_key, period_kind, period_key, village, commune, district, province, placed_on)
    from ${schema}.cells c where exists (select 1 from unnest(c.v) as x where x <> 0)
  union all
  select 'team', team_id, '', team_id || '|' || record::text from ${schema}.teams`;

/**
 * Model 2's check: every cell value (per indicator; a missing one counts as 0), every fact, stock fact,
 * cell placement and team record (a row on one side only; a changed row is one on each side) and every
 * target of the live version against the scratch, in the caller's transaction (one snapshot).
 */
export async function compareModel2(tx: SqlClient, live: string, scratch: string, limit: number): Promise<Compared> {
  const figures = await tx.query<{ view: string; level: string; unit_key: string; period_kind: string; period_key: string; indicator: string; live: string | null; rebuilt: string | null; total: string }>(
    `with l as (${cellFigures(live, '$2')}), s as (${cellFigures(scratch, '$2')})
     select ${KEY.map((k) => `coalesce(l.${k}, s.${k}) as ${k}`).join(', ')},
            l.value::text as live, s.value::text as rebuilt, count(*) over ()::text as total
       from l full join s on ${KEY.map((k) => `l.${k} = s.${k}`).join(' and ')}
      where coalesce(l.value, 0) <> coalesce(s.value, 0)
      order by 1, 2, 3, 4, 5, 6
      limit $1`,
    [limit, STORED_INDICATOR_CODES],
  );
  const rows = await tx.query<{ side: 'live' | 'rebuilt'; what: string; unit: string; period: string; line: string; total: string }>(
    `with l as (${rowLines(live)}), s as (${rowLines(scratch)}),
          differing as (
            (select 'live' as side, * from (select * from l except all select * from s) as only_live)
            union all
            (select 'rebuilt', * from (select * from s except all select * from l) as only_rebuilt))
     select side, what, unit, period, line, count(*) over ()::text as total from differing
      order by what, unit, period, line, side
      limit $1`,
    [limit],
  );
  const targets = await tx.query<{ unit_key: string; indicator: string; period: string; live: number | null; rebuilt: number | null; total: string }>(
    `select coalesce(l.unit_key, s.unit_key) as unit_key, coalesce(l.indicator, s.indicator) as indicator, coalesce(l.period, s.period) as period,
            l.value as live, s.value as rebuilt, count(*) over ()::text as total
       from ${live}.targets l
       full join ${scratch}.targets s on l.unit_key = s.unit_key and l.indicator = s.indicator and l.period = s.period
      where l.value is distinct from s.value
      order by 1, 2, 3
      limit $1`,
    [limit],
  );
  const {
    rows: [count],
  } = await tx.query<{ n: string }>(`select count(*)::text as n from (${cellFigures(live, '$1')}) as f`, [STORED_INDICATOR_CODES]);
  const number = (value: string | number | null): number | null => (value === null ? null : Number(value));
  const differences: FigureDifference[] = [
    ...figures.rows.map((r): FigureDifference => ({ kind: 'figure', view: r.view, level: r.level, unitKey: r.unit_key, periodKind: r.period_kind, period: r.period_key, indicator: r.indicator, live: number(r.live), rebuilt: number(r.rebuilt) })),
    ...rows.rows.map((r): FigureDifference => ({ kind: 'fact', unitKey: r.unit, period: r.period, indicator: r.what, live: r.side === 'live' ? 1 : null, rebuilt: r.side === 'rebuilt' ? 1 : null, detail: r.line })),
    ...targets.rows.map((r): FigureDifference => ({ kind: 'target', unitKey: r.unit_key, period: r.period, indicator: r.indicator, live: number(r.live), rebuilt: number(r.rebuilt) })),
  ];
  return {
    differences: differences.slice(0, limit),
    differenceCount: Number(figures.rows[0]?.total ?? 0) + Number(rows.rows[0]?.total ?? 0) + Number(targets.rows[0]?.total ?? 0),
    figuresCompared: Number(count.n),
  };
}
