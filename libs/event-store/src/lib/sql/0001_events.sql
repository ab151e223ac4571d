-- The event log. One schema for PostgreSQL and PGlite; see docs/adr/0001-event-store.md.
create table event_store.streams (
  stream_name text primary key,
  version     integer not null,
  -- Hash of the stream's newest event: the next append chains from it without reading events.
  last_hash   bytea   not null
);

create table event_store.events (
  global_position bigserial not null,
  -- Readers only take rows whose writing transaction is older than every running one (gap safety).
  transaction_id  xid8        not null default pg_current_xact_id(),
  stream_name     text        not null,
  stream_version  integer     not null,
  event_id        uuid        not null,
  event_type      text        not null,
  schema_version  integer     not null,
  data            jsonb       not null,
  metadata        jsonb       not null,
  recorded_at     timestamptz not null default now(),
  hash            bytea       not null,
  -- The readAll order doubles as the primary key: one index fewer to maintain on every append.
  constraint events_pkey primary key (transaction_id, global_position),
  constraint events_event_id_key unique (event_id),
  constraint events_stream_version_key unique (stream_name, stream_version)
);
