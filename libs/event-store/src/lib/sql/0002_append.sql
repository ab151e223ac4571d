-- Append in one round trip, as the first write of its transaction: lock the stream, check the expected
-- version, detect retries by event id, chain the hashes, insert, bump the stream and wake subscribers.
--   p_expected: -1 any, 0 the stream must be empty/absent, n the stream must be at version n.
--   p_events:   [{eventId, type, schemaVersion, data, metadata, digest (hex sha-256 of the canonical event)}]
-- Errors: CDT01 wrong expected version (DETAIL = actual version), CDT02 event id conflict (DETAIL = ids),
--         CDT03 called after another write in the same transaction.
-- SECURITY DEFINER: the application role may execute this but may not write the tables directly,
-- so it can neither skip the hash chain nor update or delete history.
create function event_store.cdt_append(p_stream text, p_expected bigint, p_events jsonb)
returns table (event_id uuid, stream_version integer, transaction_id text, global_position text,
               duplicate boolean, current_version integer)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
  v_count    integer := jsonb_array_length(p_events);
  v_version  integer;
  v_prev     bytea;
  v_now      timestamptz := now();
  v_micros   text := ((extract(epoch from now()) * 1000000)::bigint)::text;
  v_hashes   bytea[] := '{}';
  v_found    integer;
  v_mine     integer;
  v_bad      text;
  i          integer;
begin
  if v_count = 0 then
    raise exception 'append needs at least one event' using errcode = '22023';
  end if;

  -- Readers order by transaction id, so a stream's later version must get the larger xid. Row locks
  -- assign the xid *before* waiting (and waiters can be overtaken), which would invert that; an
  -- advisory lock assigns none, so the xid is taken only once this append owns the stream.
  if pg_current_xact_id_if_assigned() is not null then
    raise exception 'cdt_append must be the first write of its transaction' using errcode = 'CDT03';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('cdt_append/' || p_stream, 0));

  select s.version, s.last_hash into v_version, v_prev
    from event_store.streams s where s.stream_name = p_stream;
  if not found then
    v_version := 0;
    v_prev := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
    insert into event_store.streams (stream_name, version, last_hash) values (p_stream, v_version, v_prev);
  end if;

  -- A retry of an acknowledged append must report the original positions, even if the stream moved on.
  select count(*), count(*) filter (where e.stream_name = p_stream),
         string_agg(e.event_id::text, ',') filter (where e.stream_name <> p_stream)
    into v_found, v_mine, v_bad
    from event_store.events e
   where e.event_id in (select (x->>'eventId')::uuid from jsonb_array_elements(p_events) x);
  if v_found > 0 then
    if v_found = v_count and v_mine = v_count then
      return query
        select e.event_id, e.stream_version, e.transaction_id::text, e.global_position::text, true, v_version
          from event_store.events e
         where e.event_id in (select (x->>'eventId')::uuid from jsonb_array_elements(p_events) x)
         order by e.stream_version;
      return;
    end if;
    select string_agg(e.event_id::text, ',') into v_bad
      from event_store.events e
     where e.event_id in (select (x->>'eventId')::uuid from jsonb_array_elements(p_events) x);
    raise exception 'event ids already stored elsewhere or in part' using errcode = 'CDT02', detail = v_bad;
  end if;

  if p_expected >= 0 and p_expected <> v_version then
    raise exception 'stream % is at version %, expected %', p_stream, v_version, p_expected
      using errcode = 'CDT01', detail = v_version::text;
  end if;

  for i in 1 .. v_count loop
    v_prev := sha256(v_prev || decode(p_events -> (i - 1) ->> 'digest', 'hex')
                     || convert_to(p_stream || '/' || (v_version + i) || '/' || v_micros, 'UTF8'));
    v_hashes[i] := v_prev;
  end loop;

  return query
    insert into event_store.events as e
      (stream_name, stream_version, event_id, event_type, schema_version, data, metadata, recorded_at, hash)
    select p_stream, v_version + x.ord::integer, (x.ev->>'eventId')::uuid, x.ev->>'type',
           (x.ev->>'schemaVersion')::integer, x.ev->'data', x.ev->'metadata', v_now, v_hashes[x.ord]
      from jsonb_array_elements(p_events) with ordinality as x(ev, ord)
     order by x.ord
    returning e.event_id, e.stream_version, e.transaction_id::text, e.global_position::text, false,
              v_version + v_count;

  update event_store.streams s set version = v_version + v_count, last_hash = v_prev
   where s.stream_name = p_stream;
  perform pg_notify('cdt_events', p_stream);
end;
$$;
