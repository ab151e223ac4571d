import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runInThisContext } from 'node:vm';
import type { PGlite } from '@electric-sql/pglite';
import { migrate } from '../migrator';
import type { SqlClient, SqlScriptRunner } from '../sql-client';
import { SqlEventStore } from '../sql-event-store';
import { Upcaster, upcasterChain } from '../upcasting';

export interface PgliteEventStoreOptions {
  /** Directory of the database files; omitted = in memory (tests, demos). */
  dataDir?: string;
  upcasters?: Upcaster[];
  pollIntervalMs?: number;
}

/**
 * PGlite is one connection in this process: every query goes through one queue, so a migration's
 * BEGIN…COMMIT or a reader never interleaves with another caller's statements.
 */
class SerialClient implements SqlScriptRunner {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly db: PGlite) {}

  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }> {
    return this.enqueue(() => this.db.query<Row>(sql, params));
  }

  exec(sql: string): Promise<unknown> {
    return this.enqueue(() => this.db.exec(sql));
  }

  /** Runs `work` with the connection to itself (no other caller's statement in between). */
  exclusive<T>(work: (db: SqlScriptRunner) => Promise<T>): Promise<T> {
    const direct: SqlScriptRunner = {
      query: async <Row>(sql: string, params?: unknown[]) => this.db.query<Row>(sql, params),
      exec: (sql: string) => this.db.exec(sql),
    };
    return this.enqueue(() => work(direct));
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * PGlite's CommonJS build loads its WebAssembly through `import()`, which Jest's module sandbox refuses
 * without --experimental-vm-modules (electric-sql/pglite#224). Under a sandbox we load it with the host
 * process's own require, outside the sandbox; in a plain Node process this is an ordinary require.
 */
export function loadPglite(): typeof PGlite {
  const host = runInThisContext('process') as NodeJS.Process;
  const sandboxed = host !== process && host.mainModule !== undefined;
  const nodeRequire = sandboxed && host.mainModule ? host.mainModule.require.bind(host.mainModule) : createRequire(__filename);
  return (nodeRequire(require.resolve('@electric-sql/pglite')) as { PGlite: typeof PGlite }).PGlite;
}

/** First ANALYZE after this many appended events, then each time the count doubles (capped). */
const FIRST_ANALYZE_AT = 1_000;
const MAX_ANALYZE_STEP = 200_000;

export class PgliteEventStore extends SqlEventStore {
  private closed = false;
  private appended = 0;
  private nextAnalyzeAt = FIRST_ANALYZE_AT;

  private constructor(private readonly serial: SerialClient, options: PgliteEventStoreOptions) {
    super(serial as SqlClient, upcasterChain(options.upcasters), options.pollIntervalMs ?? 1000);
  }

  static async open(options: PgliteEventStoreOptions = {}): Promise<PgliteEventStore> {
    if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
    const db = await loadPglite().create(options.dataDir);
    const serial = new SerialClient(db);
    await serial.exclusive((direct) => migrate(direct));
    return new PgliteEventStore(serial, options);
  }

  /**
   * PGlite runs no autovacuum, so planner statistics and cdt_append's cached plans would stay those of
   * an empty table (seq scans: 12k → 5k events/s by 90k events in the bench). Analyzing as the log
   * grows invalidates those plans.
   */
  override async append(...args: Parameters<SqlEventStore['append']>): ReturnType<SqlEventStore['append']> {
    const result = await super.append(...args);
    if (!result.duplicate) this.appended += result.events.length;
    if (this.appended >= this.nextAnalyzeAt) {
      this.nextAnalyzeAt = this.appended + Math.min(this.appended, MAX_ANALYZE_STEP);
      await this.serial.query('analyze event_store.events, event_store.streams');
    }
    return result;
  }

  async health(): Promise<void> {
    await this.serial.query('select 1 from event_store.streams limit 1');
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await super.close();
    await this.serial.exclusive(() => this.serial.db.close());
  }

  /** Same process, same connection: the append itself is the signal (no LISTEN round trip needed). */
  protected override afterAppend(): void {
    this.changes.notify();
  }
}
