import type { EventStore } from './event-store.port';
import { PgliteEventStore } from './pglite/pglite-event-store';
import { PostgresEventStore } from './postgres/postgres-event-store';
import type { SqlClient } from './sql-client';
import type { Upcaster } from './upcasting';

export type EventStoreOptions = (
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'memory' }
  | {
      kind: 'postgres';
      url: string;
      /** Owner connection: migrations run (and the role of `url` is granted) when it is given. */
      adminUrl?: string;
      appRole?: string;
      poolSize?: number;
      idleInTransactionTimeoutMs?: number;
      onConnectionLost?: (error: Error) => void;
    }
) & { upcasters?: Upcaster[]; pollIntervalMs?: number };

export interface ManagedEventStore extends EventStore {
  /** Rejects when the store cannot answer (readiness probes). */
  health(): Promise<void>;
  /**
   * The store's own database (its pool, or the one PGlite connection), for the few tables that must
   * live beside the log and follow its migrations: `privacy.subject_keys`. Not for the event tables.
   */
  readonly database: SqlClient;
}

/** The one place an engine is chosen: from validated start-up config. */
export async function openEventStore(options: EventStoreOptions): Promise<ManagedEventStore> {
  switch (options.kind) {
    case 'embedded':
      return PgliteEventStore.open({ dataDir: options.dataDir, upcasters: options.upcasters, pollIntervalMs: options.pollIntervalMs });
    case 'memory':
      return PgliteEventStore.open({ upcasters: options.upcasters, pollIntervalMs: options.pollIntervalMs });
    case 'postgres':
      return PostgresEventStore.open(options);
    default: {
      const unknownKind: never = options;
      throw new Error(`unknown event store kind: ${JSON.stringify(unknownKind)}`);
    }
  }
}
