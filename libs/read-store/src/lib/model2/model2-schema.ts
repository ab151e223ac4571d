/**
 * KPI model 2 tables (ADR 0010), one schema per model version; the same text runs on PostgreSQL and
 * PGlite, `:schema` replaced by the version's schema name. Kept as a TS string so it ships with the code.
 * Every text column is `collate "C"`: keys compare byte by byte in the B-trees, sorts and hashes (ids, codes,
 * days and village names need no linguistic order; a database's default such as C.UTF-8 is not treated as C
 * by PostgreSQL 15 and compares through the C library). Measured 2026-11-26 on the 1M bench log: facts insert
 * 10.8-11.4 -> 9.1-10.5 and cells upsert 9.0-11.5 -> 8.5-9.0 us/event of PostgreSQL CPU; the bench queries
 * answer the same, as fast or faster.
 */
export const MODEL2_SCHEMA_SQL = `
create schema if not exists :schema;

-- One row per live counted activity (a retraction deletes it): the finest grain, read for team x day and
-- village x any period, for a relocating team's history, and as the evidence of every figure.
-- seq keeps the order facts were first written (the placement of a fine cell: latest day, then last written).
create table if not exists :schema.facts (
  activity_id   text collate "C"   primary key,
  seq           bigint generated always as identity,
  team_id       text collate "C"   not null,
  commune_code  text collate "C"   not null,
  village       text collate "C"   not null,
  district_code text collate "C",
  province_code text collate "C",
  day           text collate "C"   not null,
  counts        text[] collate "C" not null,
  -- distinct subjects as two parallel arrays: subject_codes[i] is the indicator of subjects[i]
  subject_codes text[] collate "C" not null,
  subjects      text[] collate "C" not null
);
create index if not exists facts_by_team     on :schema.facts (team_id, day);
create index if not exists facts_by_commune  on :schema.facts (commune_code, day);
-- No province index: a province's facts are found through its communes (model2-rows.ts, recordedUnderKeys).
-- Facts that add to no count (none in the catalog today): the only ones a children list must read, since
-- every other fact shows in its cell's counts. Empty while there are none, so it costs the writes nothing.
create index if not exists facts_countless  on :schema.facts (day) where cardinality(counts) = 0;

-- Teams that had facts written while the model held no record of them (a team whose activities came before
-- its establishment): the current view places their facts by the facts' own columns, and finds them here
-- (model2-rows.ts, unknown_teams, which drops those that have a record by now). Written with each batch's
-- facts, from the teams table as it stood before the batch: a superset, never missing one.
create table if not exists :schema.unrecorded_teams (
  team_id text collate "C" primary key
);

-- Dated registry changes of the stock indicators (teams, members, youth-union members), per team.
create table if not exists :schema.stock_facts (
  seq           bigint generated always as identity primary key,
  event_id      text collate "C"    not null,
  team_id       text collate "C"    not null,
  commune_code  text collate "C"    not null,
  village       text collate "C"    not null,
  district_code text collate "C",
  province_code text collate "C",
  day           text collate "C"    not null,
  indicator     text collate "C"    not null,
  delta         integer not null,
  scope         text collate "C"    not null
);
create index if not exists stock_facts_by_team    on :schema.stock_facts (team_id, day);
create index if not exists stock_facts_by_commune on :schema.stock_facts (commune_code, day);

-- Materialised wide cells: every stored indicator of a cell in one vector (v[i] = STORED_INDICATOR_CODES[i]),
-- team x week and month (as-recorded only; quarter and year are summed from the months when asked) and
-- commune..nation x every period kind in both views.
create table if not exists :schema.cells (
  view        text collate "C"   not null,
  level       text collate "C"   not null,
  unit_key    text collate "C"   not null,
  period_kind text collate "C"   not null,
  period_key  text collate "C"   not null,
  v           int8[] not null,
  village     text collate "C",
  commune     text collate "C",
  district    text collate "C",
  province    text collate "C",
  placed_on   text collate "C"   not null,
  primary key (view, level, unit_key, period_kind, period_key)
) with (fillfactor = 80);
create index if not exists cells_by_province on :schema.cells (view, period_kind, level, province, period_key);
create index if not exists cells_by_district on :schema.cells (view, period_kind, level, district, period_key) where district is not null;
create index if not exists cells_by_commune  on :schema.cells (view, period_kind, level, commune, period_key);

create table if not exists :schema.targets (
  unit_key  text collate "C"             not null,
  indicator text collate "C"             not null,
  period    text collate "C"             not null,
  value     double precision not null,
  primary key (unit_key, indicator, period)
);

-- The projector's memory of each team, with its current province (Model2Team).
create table if not exists :schema.teams (
  team_id text collate "C"  primary key,
  record  jsonb not null
);

-- Every event the batch-by-batch path applied, so a redelivered one (Kafka at least once, a replayed page) is
-- skipped; a pipelined catch-up records none, its checkpoint covers them (model2-pipeline.ts). A hash
-- index, not a primary key: an event id is one random uuid among millions, and a B-tree insert of one touched
-- a random leaf of a 70 MB index each time (5.7 against 1.9 us per id on the 1M bench log, 2026-11-26).
-- Uniqueness is not needed: the projector applies an id once (it skips applied and repeated ids), and a
-- repeated row would answer the same. Read by equality only (SqlKpiModel2Store.appliedAmong).
create table if not exists :schema.applied_events (
  event_id text collate "C" not null
);
create index if not exists applied_events_by_id on :schema.applied_events using hash (event_id);

create table if not exists :schema.checkpoint (
  id              boolean primary key default true check (id),
  transaction_id  numeric not null,
  global_position bigint  not null,
  updated_at      timestamptz not null default now()
);
`;
