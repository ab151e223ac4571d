import { Client, Pool } from 'pg';
import { grantApplicationRole, migrate } from '../migrator';
import type { SqlScriptRunner } from '../sql-client';
import { SqlEventStore } from '../sql-event-store';
import { Upcaster, upcasterChain } from '../upcasting';

export interface PostgresEventStoreOptions {
  /** Connection of the application role (INSERT-free: it appends through cdt_append). */
  url: string;
  /** Owner connection: when given, migrations run and the application role is granted its rights. */
  adminUrl?: string;
  /** Role to grant; defaults to the user of `url` (when it differs from the owner). */
  appRole?: string;
  poolSize?: number;
  upcasters?: Upcaster[];
  /** Slow-poll fallback of live subscriptions, ms. */
  pollIntervalMs?: number;
  /** Kills sessions that sit idle inside a transaction, which would stall every gap-safe reader. */
  idleInTransactionTimeoutMs?: number;
  /** Told when the server ends an idle pooled connection (restart, failover, admin); the pool replaces it. */
  onConnectionLost?: (error: Error) => void;
}

const CHANNEL = 'cdt_events';

const warnConnectionLost = (error: Error) =>
  process.emitWarning(`idle PostgreSQL connection lost (${error.message}); the pool opens a new one`, 'CdtConnectionLost');

/** PostgreSQL adapter: a pool for reads and appends plus one dedicated LISTEN connection. */
export class PostgresEventStore extends SqlEventStore {
  private listener: Client | undefined;
  private listening: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    private readonly options: PostgresEventStoreOptions,
  ) {
    super(pool, upcasterChain(options.upcasters), options.pollIntervalMs ?? 1000);
  }

  static async open(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    if (options.adminUrl) await migratePostgres(options.adminUrl, options.appRole ?? roleOf(options.url, options.adminUrl));
    const pool = new Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 30_000,
      application_name: 'cdt-event-store',
    });
    // Without a listener, an idle client killed by the server is an unhandled 'error' that ends the process.
    pool.on('error', (error) => (options.onConnectionLost ?? warnConnectionLost)(error));
    return new PostgresEventStore(pool, options);
  }

  override subscribe(...args: Parameters<SqlEventStore['subscribe']>) {
    void this.ensureListening();
    return super.subscribe(...args);
  }

  async health(): Promise<void> {
    await this.pool.query('select 1 from event_store.streams limit 1');
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await super.close();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }

  /** One LISTEN connection per store; if it breaks, subscribers fall back to polling until it is back. */
  private ensureListening(): Promise<void> {
    if (this.listening || this.closed) return this.listening ?? Promise.resolve();
    const client = new Client({ connectionString: this.options.url, application_name: 'cdt-event-store-listen' });
    client.on('notification', () => this.changes.notify());
    client.on('error', () => {
      this.listener = undefined;
      this.listening = undefined;
      client.end().catch(() => undefined);
      if (!this.closed) setTimeout(() => void this.ensureListening(), 1000).unref();
    });
    this.listening = client
      .connect()
      .then(() => client.query(`listen ${CHANNEL}`))
      .then(() => {
        if (this.closed) return void client.end();
        this.listener = client;
        this.changes.notify();
      })
      .catch(() => {
        this.listening = undefined;
        client.end().catch(() => undefined);
        if (!this.closed) setTimeout(() => void this.ensureListening(), 1000).unref();
      });
    return this.listening;
  }
}

/** Runs the migrations as the owner and grants the application role, on one dedicated connection. */
export async function migratePostgres(adminUrl: string, appRole?: string, appPassword?: string): Promise<string[]> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const runner: SqlScriptRunner = {
      query: async <Row>(sql: string, params?: unknown[]) => ({ rows: (await client.query(sql, params)).rows as Row[] }),
      exec: (sql: string) => client.query(sql),
    };
    const applied = await migrate(runner);
    if (appRole) await grantApplicationRole(runner, appRole, appPassword);
    return applied;
  } finally {
    await client.end();
  }
}

function roleOf(url: string, adminUrl: string): string | undefined {
  const app = decodeURIComponent(new URL(url).username);
  const admin = decodeURIComponent(new URL(adminUrl).username);
  return app && app !== admin ? app : undefined;
}

