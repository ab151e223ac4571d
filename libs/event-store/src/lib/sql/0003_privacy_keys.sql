-- Crypto-shredding (docs/adr/0006-crypto-shredding.md): one random AES-256 key per pseudonymous subject,
-- kept beside the log but never in it. Events hold only ciphertext under this key; erasing a subject
-- deletes its row, which makes every ciphertext of it unreadable while the events (and their hashes)
-- stay exactly as written. The application role may add and delete keys, never rewrite one (grants.sql).
create schema if not exists privacy;

create table privacy.subject_keys (
  subject_ref text        primary key,
  -- Named in every ciphertext: a ciphertext under an erased key stays erased when a new key is made later.
  key_id      uuid        not null unique,
  key         bytea       not null check (length(key) = 32),
  created_at  timestamptz not null default now()
);
