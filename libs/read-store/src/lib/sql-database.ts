import type { PGlite } from '@electric-sql/pglite';
import type { Writable } from 'node:stream';
import type { Pool, PoolClient } from 'pg';

/**
 * The slice of a PostgreSQL connection the read store needs, with one transaction helper, so one SQL
 * text serves `pg` and PGlite (the event store's SqlClient pattern, plus transactions).
 */
export interface SqlClient {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  /**
   * Optional (pg): resolves once everything this connection was given to send has left Node, i.e. the
   * statements issued so far are in the server's hands. Node sends a large statement (megabytes of
   * parameters) in pieces, between other work on its event loop; PGlite has nothing to send.
   */
  sent?(): Promise<void>;
}

export interface SqlDatabase extends SqlClient {
  exec(sql: string): Promise<void>;
  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Wraps a pool and listens for its idle-client errors: without a listener, a connection the server ends
 * (restart, failover, admin) is an unhandled 'error' that ends the process; the pool replaces it.
 */
export const pgDatabase = (pool: Pool, onConnectionLost: (error: Error) => void = warnConnectionLost): SqlDatabase => {
  pool.on('error', onConnectionLost);
  return pgPoolDatabase(pool);
};

const warnConnectionLost = (error: Error) =>
  process.emitWarning(`idle PostgreSQL connection lost (${error.message}); the pool opens a new one`, 'CdtConnectionLost');

const pgPoolDatabase = (pool: Pool): SqlDatabase => ({
  query: async <Row>(sql: string, params?: unknown[]) => ({ rows: (await pool.query(sql, params)).rows as Row[] }),
  exec: async (sql) => {
    await pool.query(sql);
  },
  transaction: async (work) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('begin');
      const result = await work({
        query: async <Row>(sql: string, params?: unknown[]) => ({ rows: (await client.query(sql, params)).rows as Row[] }),
        sent: () => socketFlushed(client),
      });
      await client.query('commit');
      return result;
    } catch (error) {
      // A client that cannot even roll back is broken: release(error) makes the pool discard it.
      broken = await client.query('rollback').then(() => undefined, (rollbackError: Error) => rollbackError);
      throw error;
    } finally {
      client.release(broken);
    }
  },
  close: () => pool.end(),
});

/**
 * When the pg client's socket has written out all it was given: at once if nothing waits to be written,
 * else on 'drain'. The socket is pg's `connection.stream` (not in its typings; checked, and when it is
 * not a stream this resolves at once: the wait is an optimisation, never a condition of correctness).
 */
const socketFlushed = (client: PoolClient): Promise<void> => {
  const stream = (client as unknown as { connection?: { stream?: Writable } }).connection?.stream;
  if (!stream || typeof stream.once !== 'function' || !stream.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
};

/** PGlite is one connection: its own transaction() holds it, so no other caller interleaves. */
export const pgliteDatabase = (db: PGlite): SqlDatabase => ({
  query: <Row>(sql: string, params?: unknown[]) => db.query<Row>(sql, params),
  exec: async (sql) => {
    await db.exec(sql);
  },
  transaction: (work) => db.transaction((tx) => work({ query: <Row>(sql: string, params?: unknown[]) => tx.query<Row>(sql, params) })),
  close: () => db.close(),
});

/**
 * Runs `read` in one REPEATABLE READ, READ ONLY transaction of `db`: every statement sent through `view`
 * sees the database as of the transaction's first statement, whatever commits meanwhile. `view` is a
 * SqlDatabase over that transaction's connection, so a store opened over it reads unchanged code:
 * its `transaction(work)` runs `work` on the same connection, inside the snapshot (a `set local` there
 * holds until the snapshot ends); its `exec` sends one statement; it cannot be closed.
 *
 * On PGlite (one connection) the snapshot holds the connection: writers wait until `read` ends, and
 * `read` must send every statement through `view` (one through `db` would wait for the snapshot: deadlock).
 */
export const readSnapshot = <T>(db: SqlDatabase, read: (view: SqlDatabase) => Promise<T>): Promise<T> =>
  db.transaction(async (tx) => {
    await tx.query('set transaction isolation level repeatable read, read only');
    return read(transactionView(tx));
  });

const transactionView = (tx: SqlClient): SqlDatabase => ({
  query: <Row>(sql: string, params?: unknown[]) => tx.query<Row>(sql, params),
  exec: async (sql) => {
    await tx.query(sql);
  },
  transaction: (work) => work(tx),
  close: () => Promise.reject(new Error('a snapshot\'s connection is released when its read ends, not closed by a store')),
});
