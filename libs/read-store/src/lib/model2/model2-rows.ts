/**
 * Model 2's figure rows of one view and period kind, as model 1 would hold them (in-memory-model2.ts,
 * `model2Rows`, in SQL): materialised cells expanded into (indicator, value), the current view's team
 * cells placed where the team is today, and the fine cells (team x day, village x any period) summed
 * from facts and stock facts, each placed as its latest-day contributor (ties: the last written).
 *
 * Parameters: $1 view, $2 period kind, $3 period key (rows up to it), $4 its last day, $5 the stored
 * indicator codes in vector order, $6 the levels wanted. Yields `rows(level, unit_key, period_key,
 * indicator, value, village, commune, district, province)`, zero values left out.
 */
export const model2RowsSql = (t: (table: string) => string): string => `
with teams_now as (
  select team_id, record->>'communeCode' as commune, record->>'village' as village, record->>'provinceCode' as province, record->>'since' as since
    from ${t('teams')}
),
contrib as (
  select 0 as src, f.seq, f.team_id, f.day, f.counts, f.subject_codes, f.subjects, null::text as indicator, 0 as delta, true as with_team,
         coalesce(n.commune, f.commune_code) as commune, coalesce(n.commune, f.commune_code) || '/' || coalesce(n.village, f.village) as village,
         case when $1 = 'as-recorded' then f.district_code end as district,
         case when n.team_id is null then f.province_code else n.province end as province,
         coalesce(n.since, f.day) as placed_on
    from ${t('facts')} f left join teams_now n on $1 = 'current' and n.team_id = f.team_id
   where f.day <= $4
  union all
  select 1, s.seq, s.team_id, s.day, null, null, null, s.indicator, s.delta, s.scope = 'both',
         coalesce(n.commune, s.commune_code), coalesce(n.commune, s.commune_code) || '/' || coalesce(n.village, s.village),
         case when $1 = 'as-recorded' then s.district_code end,
         case when n.team_id is null then s.province_code else n.province end,
         coalesce(n.since, s.day)
    from ${t('stock_facts')} s left join teams_now n on $1 = 'current' and n.team_id = s.team_id
   where s.day <= $4 and ($1 = 'as-recorded' or s.scope = 'both')
),
fine_units as (
  select c.*, pk.key as period_key, u.*
    from contrib c
   cross join lateral (select case $2
       when 'day' then c.day
       when 'week' then to_char(c.day::date, 'IYYY-"W"IW')
       when 'month' then left(c.day, 7)
       when 'quarter' then left(c.day, 4) || '-Q' || ((substr(c.day, 6, 2)::int + 2) / 3)
       else left(c.day, 4) end as key) pk
   cross join lateral (
     select 'village' as level, c.village as unit_key, null::text as p_village where 'village' = any($6::text[])
     union all
     select 'team', c.team_id, c.village where $2 = 'day' and c.with_team and 'team' = any($6::text[])
   ) u
),
fine_placed as (
  select distinct on (level, unit_key, period_key) level, unit_key, period_key, p_village as village, commune, district, province
    from fine_units
   order by level, unit_key, period_key, placed_on desc, src desc, seq desc
),
fine_values as (
  select level, unit_key, period_key, code as indicator, count(*)::bigint as value
    from fine_units cross join lateral unnest(counts) as code where src = 0 group by 1, 2, 3, 4
  union all
  select level, unit_key, period_key, indicator, sum(delta)::bigint from fine_units where src = 1 group by 1, 2, 3, 4
  union all
  select level, unit_key, period_key, s.code, count(distinct s.subject)::bigint
    from fine_units cross join lateral unnest(subject_codes, subjects) as s(code, subject) where src = 0 group by 1, 2, 3, 4
),
rows as (
  select c.level, c.unit_key, c.period_key, x.indicator, x.value, c.village, c.commune, c.district, c.province
    from ${t('cells')} c cross join lateral unnest(c.v, $5::text[]) as x(value, indicator)
   where c.view = $1 and c.period_kind = $2 and c.period_key <= $3 and c.level = any($6::text[]) and x.value <> 0
  union all
  select c.level, c.unit_key, c.period_key, x.indicator, x.value,
         case when n.team_id is null then c.village else n.commune || '/' || n.village end,
         case when n.team_id is null then c.commune else n.commune end,
         null,
         case when n.team_id is null then c.province else n.province end
    from ${t('cells')} c left join teams_now n on n.team_id = c.unit_key
   cross join lateral unnest(c.v, $5::text[]) as x(value, indicator)
   where $1 = 'current' and c.view = 'as-recorded' and c.level = 'team' and 'team' = any($6::text[])
     and c.period_kind = $2 and c.period_key <= $3 and x.value <> 0
  union all
  select v.level, v.unit_key, v.period_key, v.indicator, v.value, p.village, p.commune, p.district, p.province
    from fine_values v join fine_placed p using (level, unit_key, period_key)
   where v.value <> 0
)`;
