-- KPI read models (one schema per model version, so a rebuild builds alongside the live one).
-- The same text runs on PostgreSQL and PGlite; `:schema` is replaced by the version's schema name.
create schema if not exists :schema;

-- Counts, stocks (dated +1/-1) and distinct counts, per view × level × unit × period × indicator.
create table if not exists :schema.figures (
  view        text   not null,
  level       text   not null,
  unit_key    text   not null,
  period_kind text   not null,
  period_key  text   not null,
  indicator   text   not null,
  value       bigint not null,
  -- ancestors of the unit (children, drill-down, coverage) and the day they were resolved for
  village     text,
  commune     text,
  district    text,
  province    text,
  placed_on   text   not null,
  primary key (view, level, unit_key, period_kind, period_key, indicator)
) with (fillfactor = 80);
create index if not exists figures_by_province on :schema.figures (view, period_kind, level, province, period_key);
create index if not exists figures_by_district on :schema.figures (view, period_kind, level, district, period_key) where district is not null;
create index if not exists figures_by_commune  on :schema.figures (view, period_kind, level, commune, period_key);
-- Coverage (communes/villages with an active or a registered team) reads only these two indicators of
-- a unit's children: without them a province drill-down read every figure row of its villages' month.
create index if not exists figures_coverage_by_province on :schema.figures (view, period_kind, level, province, indicator, period_key)
  where indicator in ('active-teams', 'teams-registered');
create index if not exists figures_coverage_by_district on :schema.figures (view, period_kind, level, district, indicator, period_key)
  where indicator in ('active-teams', 'teams-registered') and district is not null;
create index if not exists figures_coverage_by_commune on :schema.figures (view, period_kind, level, commune, indicator, period_key)
  where indicator in ('active-teams', 'teams-registered');

-- Subject refcounts behind every distinct count: a distinct count moves when a refcount crosses 0.
create table if not exists :schema.subject_refs (
  view        text    not null,
  level       text    not null,
  unit_key    text    not null,
  period_kind text    not null,
  period_key  text    not null,
  indicator   text    not null,
  subject     text    not null,
  refcount    integer not null,
  -- the delta of the last batch that touched the row: RETURNING refcount - last_delta is the refcount
  -- before it, so a batch finds its 0 <-> positive crossings without reading the table a second time
  last_delta  integer not null default 0,
  primary key (view, level, unit_key, period_kind, period_key, indicator, subject)
) with (fillfactor = 80);
alter table :schema.subject_refs add column if not exists last_delta integer not null default 0;

create table if not exists :schema.targets (
  unit_key  text             not null,
  indicator text             not null,
  period    text             not null,
  value     double precision not null,
  primary key (unit_key, indicator, period)
);

-- The projector's memory of each team (where it is now, its current members).
create table if not exists :schema.teams (
  team_id text  primary key,
  record  jsonb not null
);

-- Every event id already applied: a redelivered event (same id, any position) is skipped.
create table if not exists :schema.applied_events (
  event_id text primary key
);

-- Written in the same transaction as the figures it covers.
create table if not exists :schema.checkpoint (
  id              boolean primary key default true check (id),
  transaction_id  numeric not null,
  global_position bigint  not null,
  updated_at      timestamptz not null default now()
);
