-- PostgreSQL only (PGlite has a single superuser). :app_role is replaced by the quoted role name.
-- The application reads the log and appends through event_store.cdt_append (SECURITY DEFINER);
-- it holds no INSERT, UPDATE, DELETE or TRUNCATE on the tables, so history cannot be rewritten from it.
grant usage on schema event_store to :app_role;
grant select on event_store.events, event_store.streams to :app_role;
revoke all on function event_store.cdt_append(text, bigint, jsonb) from public;
grant execute on function event_store.cdt_append(text, bigint, jsonb) to :app_role;
-- Subject keys (crypto-shredding): created on first use and deleted on erasure; never updated.
grant usage on schema privacy to :app_role;
grant select, insert, delete on privacy.subject_keys to :app_role;
