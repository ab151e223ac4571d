import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { openEventStore, type ManagedEventStore } from '@cdt/event-store';
import { describeWithEngine, freshPostgresDatabase, type FreshPostgresDatabase } from '@cdt/testing';
import { ContactVault } from './contact-vault';
import { eraseSubject, erasuresOf, subjectStream } from './erasure';
import { SubjectKeys } from './subject-keys';

const household = (n: number) => n.toString(16).padStart(64, 'e');

/** Keys, vault and erasure against the store's own database, the same on both engines. */
function erasureSuite(open: () => Promise<ManagedEventStore>): void {
  let store: ManagedEventStore;
  let keys: SubjectKeys;
  let vault: ContactVault;
  beforeAll(async () => {
    store = await open();
    keys = new SubjectKeys(store.database);
    vault = new ContactVault(keys);
  });
  afterAll(() => store?.close());

  it('makes one key per subject, also under concurrent first use', async () => {
    const subject = household(1);
    const made = await Promise.all(Array.from({ length: 8 }, () => keys.keyFor(subject)));
    expect(new Set(made.map((k) => k.keyId)).size).toBe(1);
    expect(made[0].key).toHaveLength(32);
    expect((await keys.keyFor(household(2))).keyId).not.toBe(made[0].keyId);
  });

  it('reads a contact until the subject is erased, then never again, recording who erased it and when', async () => {
    const subject = household(3);
    const box = await vault.seal(subject, 'activity-a', { phone: '0912345678' });
    const other = await vault.seal(household(4), 'activity-b', { phone: '0987654321' });
    expect(await vault.reveal(box, 'activity-a')).toEqual({ status: 'readable', contact: { phone: '0912345678' } });

    const erased = await eraseSubject(store, keys, subject, { actor: 'dpo-1', request: 'REQ-17', now: new Date('2026-04-01T08:00:00Z') });
    expect(erased).toMatchObject({ status: 'erased', subjectRef: subject, keyId: box.keyId });
    expect(await vault.reveal(box, 'activity-a')).toEqual({ status: 'erased' });
    expect(await keys.find(subject)).toBeUndefined();
    expect(await vault.reveal(other, 'activity-b')).toEqual({ status: 'readable', contact: { phone: '0987654321' } });

    const [event] = await erasuresOf(store, subject);
    expect(event).toMatchObject({ eventId: box.keyId, type: 'SubjectErased', streamName: subjectStream(subject), metadata: { actor: 'dpo-1' } });
    expect(event.data).toEqual({ subjectRef: subject, keyId: box.keyId, erasedBy: 'dpo-1', erasedAt: '2026-04-01T08:00:00.000Z', request: 'REQ-17' });

    expect(await eraseSubject(store, keys, subject, { actor: 'dpo-1' })).toEqual({ status: 'already-erased', subjectRef: subject, erasedAt: '2026-04-01T08:00:00.000Z' });
    expect(await eraseSubject(store, keys, household(99), { actor: 'dpo-1' })).toEqual({ status: 'no-key', subjectRef: household(99) });
  });

  it('keeps an old box erased when the subject later consents again under a new key', async () => {
    const subject = household(5);
    const old = await vault.seal(subject, 'activity-c', { phone: '0912000000' });
    await eraseSubject(store, keys, subject, { actor: 'dpo-1' });
    const fresh = await vault.seal(subject, 'activity-d', { phone: '0912000001' });
    expect(fresh.keyId).not.toBe(old.keyId);
    expect(await vault.reveal(old, 'activity-c')).toEqual({ status: 'erased' });
    expect(await vault.reveal(fresh, 'activity-d')).toMatchObject({ status: 'readable' });
    await eraseSubject(store, keys, subject, { actor: 'dpo-2' });
    expect((await erasuresOf(store, subject)).map((e) => e.data['erasedBy'])).toEqual(['dpo-1', 'dpo-2']);
  });

  it('finishes an erasure cut off after recording it: the rerun deletes the key, the record stays single', async () => {
    const subject = household(6);
    const key = await keys.keyFor(subject);
    // The first run died between its two steps: the event is there, the key too.
    await store.append(subjectStream(subject), [{
      eventId: key.keyId, type: 'SubjectErased', schemaVersion: 1,
      data: { subjectRef: subject, keyId: key.keyId, erasedBy: 'dpo-1', erasedAt: '2026-04-01T08:00:00.000Z' },
      metadata: { occurredAt: '2026-04-01T08:00:00.000Z', actor: 'dpo-1', correlationId: randomUUID() },
    }], 'any');
    expect(await eraseSubject(store, keys, subject, { actor: 'dpo-1' })).toMatchObject({ status: 'erased', keyId: key.keyId });
    expect(await keys.find(subject)).toBeUndefined();
    expect(await erasuresOf(store, subject)).toHaveLength(1);
  });

  it('refuses anything that is not a pseudonymous ref', async () => {
    await expect(eraseSubject(store, keys, '0912345678', { actor: 'dpo-1' })).rejects.toThrow(/pseudonymous ref/);
  });
}

describe('crypto-shredding on embedded PGlite', () => {
  erasureSuite(() => openEventStore({ kind: 'memory' }));
});

describeWithEngine('postgres', 'crypto-shredding on PostgreSQL', () => {
  let database: FreshPostgresDatabase;
  beforeAll(async () => {
    database = await freshPostgresDatabase();
  });
  afterAll(() => database?.drop());

  describe('as the application role', () => {
    erasureSuite(() => openEventStore({ kind: 'postgres', url: database.appUrl, adminUrl: database.adminUrl, poolSize: 4 }));
  });

  it('lets the application role delete keys but not rewrite them, and still not UPDATE or DELETE events', async () => {
    const app = new Client({ connectionString: database.appUrl });
    await app.connect();
    const denied = async (sql: string) => expect((await app.query(sql).then(() => 'allowed', (error: { code?: string }) => error.code))).toBe('42501');
    try {
      expect((await app.query('select count(*)::int as n from event_store.events')).rows[0].n).toBeGreaterThan(0);
      await denied("update privacy.subject_keys set key = decode(repeat('00', 32), 'hex')");
      await denied("update event_store.events set data = '{}'::jsonb");
      await denied('delete from event_store.events');
      await denied('truncate privacy.subject_keys');
      await app.query("insert into privacy.subject_keys (subject_ref, key_id, key) values ('x', gen_random_uuid(), decode(repeat('11', 32), 'hex'))");
      expect((await app.query("delete from privacy.subject_keys where subject_ref = 'x'")).rowCount).toBe(1);
    } finally {
      await app.end();
    }
  });
});
