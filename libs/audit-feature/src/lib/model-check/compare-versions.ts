import { STORED_INDICATOR_CODES } from '@cdt/domain-kpi';
import type { SqlClient } from '@cdt/read-store';
import type { FigureDifference } from './verify-kpi-model';

export interface Compared {
  differences: FigureDifference[];
  differenceCount: number;
  figuresCompared: number;
}

/** Differences of one kind: the first `limit` of them and how many there are in all. */
interface Found {
  differences: FigureDifference[];
  total: number;
}

const KEY = ['view', 'level', 'unit_key', 'period_kind', 'period_key', 'indicator'] as const;

const number = (value: string | number | null): number | null => (value === null ? null : Number(value));

/** A model-1 schema's figure rows. */
const tableFigures = (schema: string) => `select ${KEY.join(', ')}, value from ${schema}.figures`;

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
 * Two sources of figure rows (the KEY columns and `value`) side by side; a row missing on one side counts
 * as 0 there. `params` are the sources' query parameters from $2 on ($1 is the limit).
 */
async function figureDifferences(tx: SqlClient, live: string, scratch: string, limit: number, params: readonly unknown[] = []): Promise<Found> {
  const { rows } = await tx.query<{ view: string; level: string; unit_key: string; period_kind: string; period_key: string; indicator: string; live: string | null; rebuilt: string | null; total: string }>(
    `with l as (${live}), s as (${scratch})
     select ${KEY.map((k) => `coalesce(l.${k}, s.${k}) as ${k}`).join(', ')},
            l.value::text as live, s.value::text as rebuilt, count(*) over ()::text as total
       from l full join s on ${KEY.map((k) => `l.${k} = s.${k}`).join(' and ')}
      where coalesce(l.value, 0) <> coalesce(s.value, 0)
      order by 1, 2, 3, 4, 5, 6
      limit $1`,
    [limit, ...params],
  );
  return {
    differences: rows.map((r) => ({ kind: 'figure', view: r.view, level: r.level, unitKey: r.unit_key, periodKind: r.period_kind, period: r.period_key, indicator: r.indicator, live: number(r.live), rebuilt: number(r.rebuilt) })),
    total: Number(rows[0]?.total ?? 0),
  };
}

/** The targets of two schemas side by side; a target missing on one side is none there. */
async function targetDifferences(tx: SqlClient, live: string, scratch: string, limit: number): Promise<Found> {
  const { rows } = await tx.query<{ unit_key: string; indicator: string; period: string; live: number | null; rebuilt: number | null; total: string }>(
    `select coalesce(l.unit_key, s.unit_key) as unit_key, coalesce(l.indicator, s.indicator) as indicator, coalesce(l.period, s.period) as period,
            l.value as live, s.value as rebuilt, count(*) over ()::text as total
       from ${live}.targets l
       full join ${scratch}.targets s on l.unit_key = s.unit_key and l.indicator = s.indicator and l.period = s.period
      where l.value is distinct from s.value
      order by 1, 2, 3
      limit $1`,
    [limit],
  );
  return {
    differences: rows.map((r) => ({ kind: 'target', unitKey: r.unit_key, period: r.period, indicator: r.indicator, live: number(r.live), rebuilt: number(r.rebuilt) })),
    total: Number(rows[0]?.total ?? 0),
  };
}

/** Model 2's rows (`rowLines`) on one side only; a changed row is one on each side. */
async function rowDifferences(tx: SqlClient, live: string, scratch: string, limit: number): Promise<Found> {
  const { rows } = await tx.query<{ side: 'live' | 'rebuilt'; what: string; unit: string; period: string; line: string; total: string }>(
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
  return {
    differences: rows.map((r) => ({ kind: 'fact', unitKey: r.unit, period: r.period, indicator: r.what, live: r.side === 'live' ? 1 : null, rebuilt: r.side === 'rebuilt' ? 1 : null, detail: r.line })),
    total: Number(rows[0]?.total ?? 0),
  };
}

async function countFigures(tx: SqlClient, source: string, params: readonly unknown[] = []): Promise<number> {
  const {
    rows: [count],
  } = await tx.query<{ n: string }>(`select count(*)::text as n from (${source}) as f`, [...params]);
  return Number(count.n);
}

const compared = (limit: number, figuresCompared: number, found: readonly Found[]): Compared => ({
  differences: found.flatMap((f) => f.differences).slice(0, limit),
  differenceCount: found.reduce((sum, f) => sum + f.total, 0),
  figuresCompared,
});

/** Model 1's check: every figure and target of the live version against the scratch, in the caller's transaction (one snapshot). */
export async function compareModel1(tx: SqlClient, live: string, scratch: string, limit: number): Promise<Compared> {
  const figures = await figureDifferences(tx, tableFigures(live), tableFigures(scratch), limit);
  const targets = await targetDifferences(tx, live, scratch, limit);
  return compared(limit, await countFigures(tx, tableFigures(live)), [figures, targets]);
}

/**
 * Model 2's check: every cell value (per indicator; a missing one counts as 0), every fact, stock fact,
 * cell placement and team record (a row on one side only; a changed row is one on each side) and every
 * target of the live version against the scratch, in the caller's transaction (one snapshot).
 */
export async function compareModel2(tx: SqlClient, live: string, scratch: string, limit: number): Promise<Compared> {
  const figures = await figureDifferences(tx, cellFigures(live, '$2'), cellFigures(scratch, '$2'), limit, [STORED_INDICATOR_CODES]);
  const rows = await rowDifferences(tx, live, scratch, limit);
  const targets = await targetDifferences(tx, live, scratch, limit);
  return compared(limit, await countFigures(tx, cellFigures(live, '$1'), [STORED_INDICATOR_CODES]), [figures, rows, targets]);
}
