import type { PGlite } from '@electric-sql/pglite';
import type { Pool } from 'pg';

/**
 * The slice of a PostgreSQL connection the read store needs, with one transaction helper, so one SQL
 * text serves `pg` and PGlite (the event store's SqlClient pattern, plus transactions).
 */
export interface SqlClient {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

export interface SqlDatabase extends SqlClient {
  exec(sql: string): Promise<void>;
  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const pgDatabase = (pool: Pool): SqlDatabase => ({
  query: async <Row>(sql: string, params?: unknown[]) => ({ rows: (await pool.query(sql, params)).rows as Row[] }),
  exec: async (sql) => {
    await pool.query(sql);
  },
  transaction: async (work) => {
    const client = await pool.connect();
    try {
      await client.query('begin');
      const result = await work({ query: async <Row>(sql: string, params?: unknown[]) => ({ rows: (await client.query(sql, params)).rows as Row[] }) });
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  },
  close: () => pool.end(),
});

/** PGlite is one connection: its own transaction() holds it, so no other caller interleaves. */
export const pgliteDatabase = (db: PGlite): SqlDatabase => ({
  query: <Row>(sql: string, params?: unknown[]) => db.query<Row>(sql, params),
  exec: async (sql) => {
    await db.exec(sql);
  },
  transaction: (work) => db.transaction((tx) => work({ query: <Row>(sql: string, params?: unknown[]) => tx.query<Row>(sql, params) })),
  close: () => db.close(),
});
