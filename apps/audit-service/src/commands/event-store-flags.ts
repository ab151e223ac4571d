import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { openEventStore, type ManagedEventStore } from '@cdt/event-store';

/** The two ways a command reaches the event log: a PostgreSQL URL, or a stopped standalone's data directory. */
export interface StoreOptions {
  databaseUrl?: string;
  dataDir?: string;
}

/** Adds `--database-url` and `--data-dir` to a command that reads or appends to the event log. */
export function withStoreFlags(command: Command): Command {
  return command
    .option('--database-url <url>', 'PostgreSQL event store (default: env CDT_DATABASE_URL)')
    .option('--data-dir <dir>', 'embedded store: the CDT_DATA_DIR of a stopped standalone (default: env CDT_DATA_DIR or ./.data)');
}

/** `--database-url`, else `--data-dir`, else CDT_DATABASE_URL, else CDT_DATA_DIR or ./.data (which must hold a store). */
export async function openStoreFrom(options: StoreOptions, poolSize = 3): Promise<ManagedEventStore> {
  const databaseUrl = options.databaseUrl ?? (options.dataDir ? undefined : process.env['CDT_DATABASE_URL']);
  if (databaseUrl) return openEventStore({ kind: 'postgres', url: databaseUrl, poolSize });
  const storeDir = join(resolve(options.dataDir ?? process.env['CDT_DATA_DIR'] ?? './.data'), 'event-store');
  if (!existsSync(storeDir)) throw new Error(`no embedded event store at ${storeDir} (pass --data-dir or --database-url)`);
  return openEventStore({ kind: 'embedded', dataDir: storeDir });
}

/** Opens the store, runs `work`, and closes the store whatever happens. */
export async function withOpenStore(options: StoreOptions, work: (store: ManagedEventStore) => Promise<void>): Promise<void> {
  const store = await openStoreFrom(options);
  try {
    await work(store);
  } finally {
    await store.close();
  }
}
