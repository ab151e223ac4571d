import { randomUUID } from 'node:crypto';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import { Client } from 'pg';
// The adapter's own specs run the shared contract suite; only test code crosses this boundary.
import { eventStoreContract } from '../../contract';
import { openEventStore } from '../open-event-store';

describeWithEngine('postgres', 'PostgreSQL event store', () => {
  eventStoreContract('PostgreSQL (application role)', async ({ upcasters }) => {
    const database = await freshPostgresDatabase();
    const store = await openEventStore({ kind: 'postgres', url: database.appUrl, adminUrl: database.adminUrl, poolSize: 4, upcasters });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await database.drop();
      },
    };
  });

  describe('storage is append-only for the application role', () => {
    let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
    let app: Client;
    beforeAll(async () => {
      database = await freshPostgresDatabase();
      const store = await openEventStore({ kind: 'postgres', url: database.appUrl, adminUrl: database.adminUrl });
      const metadata = { occurredAt: '2025-07-01T09:00:00+07:00', actor: 't', correlationId: 'c' };
      await store.append('team-1', [{ eventId: randomUUID(), type: 'TeamEstablished', schemaVersion: 1, data: { n: 1 }, metadata }], 'no-stream');
      await store.close();
      app = new Client({ connectionString: database.appUrl });
      await app.connect();
    });
    afterAll(async () => {
      await app?.end();
      await database?.drop();
    });

    it.each([
      ['update', "update event_store.events set data = '{}'"],
      ['delete', 'delete from event_store.events'],
      ['truncate', 'truncate event_store.events'],
      ['insert bypassing the hash chain', "insert into event_store.events (stream_name, stream_version, event_id, event_type, schema_version, data, metadata, hash) values ('x', 1, gen_random_uuid(), 't', 1, '{}', '{}', '\\x00')"],
      ['rewind a stream', 'update event_store.streams set version = 0'],
    ])('refuses to %s', async (_label, sql) => {
      await expect(app.query(sql)).rejects.toMatchObject({ code: '42501' });
    });

    it('still reads the log and appends through cdt_append', async () => {
      const { rows } = await app.query('select count(*)::int as n from event_store.events');
      expect(rows[0].n).toBe(1);
    });

    it('refuses an append that is not the first write of its transaction (per-stream order relies on it)', async () => {
      await app.query('begin');
      try {
        await app.query('select pg_current_xact_id()');
        await expect(app.query(`select * from event_store.cdt_append('team-2', -1, '[{"eventId":"${randomUUID()}"}]')`)).rejects.toMatchObject({ code: 'CDT03' });
      } finally {
        await app.query('rollback');
      }
    });
  });

  describe('set-up', () => {
    it('migrates idempotently and sets idle_in_transaction_session_timeout on pooled sessions', async () => {
      const database = await freshPostgresDatabase();
      try {
        const first = await openEventStore({ kind: 'postgres', url: database.appUrl, adminUrl: database.adminUrl, idleInTransactionTimeoutMs: 12_345 });
        await first.close();
        const second = await openEventStore({ kind: 'postgres', url: database.appUrl, adminUrl: database.adminUrl, idleInTransactionTimeoutMs: 12_345 });
        await second.health();
        const probe = await openEventStore({ kind: 'postgres', url: database.appUrl, idleInTransactionTimeoutMs: 12_345 });
        const appender = probe as unknown as { client: { query(sql: string): Promise<{ rows: { t: string }[] }> } };
        expect((await appender.client.query("select current_setting('idle_in_transaction_session_timeout') as t")).rows[0].t).toBe('12345ms');
        await probe.close();
        await second.close();
      } finally {
        await database.drop();
      }
    });
  });

  describe('a connection the server ends', () => {
    it('is replaced by the pool: the process survives and the next append works', async () => {
      const database = await freshPostgresDatabase();
      const lost: Error[] = [];
      const store = await openEventStore({ kind: 'postgres', url: database.appUrl, adminUrl: database.adminUrl, poolSize: 2, onConnectionLost: (error) => lost.push(error) });
      const metadata = { occurredAt: '2025-07-01T09:00:00+07:00', actor: 't', correlationId: 'c' };
      const event = (n: number) => ({ eventId: randomUUID(), type: 'TeamEstablished', schemaVersion: 1, data: { n }, metadata });
      try {
        await store.append('team-1', [event(1)], 'no-stream');
        // A role may end its own sessions: the application role ends the store's idle pooled one.
        const admin = new Client({ connectionString: database.appUrl });
        await admin.connect();
        const ended = await admin.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'cdt-event-store' and state = 'idle'",
        );
        await admin.end();
        expect(ended.rowCount).toBeGreaterThan(0);
        await new Promise((resolve) => setTimeout(resolve, 200));

        expect(lost.map((error) => (error as Error & { code?: string }).code)).toContain('57P01');
        await store.append('team-1', [event(2)], 1);
        expect((await store.readStream('team-1')).map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
      } finally {
        await store.close();
        await database.drop();
      }
    });
  });
});
