/**
 * The slice of a PostgreSQL connection the store needs. `pg` (Pool/Client) and PGlite both fit,
 * which is what lets one SQL text serve both engines.
 */
export interface SqlClient {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

/** Runs several statements (no parameters) in one go: migrations. */
export interface SqlScriptRunner extends SqlClient {
  exec(sql: string): Promise<unknown>;
}
