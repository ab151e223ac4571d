import { randomUUID } from 'node:crypto';
import { ENGINE_SPECS, ENGINES, Engine, enginesEnvFile, probe, readEnvFile, redact } from './engine-probe';

export type { Engine } from './engine-probe';

export interface EngineAvailability {
  available: boolean;
  /** Connection URL (Kafka: comma-separated brokers) when available. */
  url?: string;
  /** Why the engine is not available: every source tried, in order. */
  reason?: string;
}

/**
 * Set by jest's globalSetup (test/engines/global-setup.ts) in the parent process, inherited by the workers:
 * the resolved availability of every engine, and what the container runtime check said.
 */
export const RESOLVED_ENV = 'CDT_ENGINES_RESOLVED';
export const CONTAINER_RUNTIME_ENV = 'CDT_ENGINES_CONTAINER_RUNTIME';
export const PROVISIONER_ENV = 'CDT_ENGINES_PROVISIONER';

export const EVENTSTOREDB_UNAVAILABLE = 'EventStoreDB cannot be obtained on this machine (no container runtime, not in any reachable registry)';

const resolved = new Map<Engine, EngineAvailability>();

/**
 * Where the tests find `engine`, in order: the env URL (CDT_TEST_*), then the same variable in
 * test/engines/.state/env (written by test/engines/up.sh). Jest's globalSetup runs before any test file:
 * when neither answers it starts a container through testcontainers, or else runs up.sh, and exports the
 * URL, so those arrive by the first two steps. Each candidate must answer a real request within 2 s.
 */
export function engineAvailability(engine: Engine): EngineAvailability {
  const known = resolved.get(engine) ?? fromGlobalSetup(engine);
  if (known) return known;
  const availability = resolveEngine(engine);
  resolved.set(engine, availability);
  return availability;
}

function fromGlobalSetup(engine: Engine): EngineAvailability | undefined {
  const json = process.env[RESOLVED_ENV];
  if (!json) return undefined;
  const entry = (JSON.parse(json) as Partial<Record<Engine, EngineAvailability>>)[engine];
  // globalSetup exports the URL of every engine it found; a different one now means a spec pointed elsewhere.
  const current = process.env[ENGINE_SPECS[engine].envVar];
  return entry && (current === undefined || current === entry.url) ? entry : undefined;
}

/** Resolves without the cache (globalSetup calls this before and after trying containers). */
export function resolveEngine(engine: Engine): EngineAvailability {
  const { label, envVar } = ENGINE_SPECS[engine];
  const candidates: { url: string; from: string }[] = [];
  const fromEnv = process.env[envVar];
  if (fromEnv) candidates.push({ url: fromEnv, from: `$${envVar}` });
  const fromFile = engine === 'eventstoredb' ? undefined : readEnvFile()[envVar];
  if (fromFile && fromFile !== fromEnv) candidates.push({ url: fromFile, from: enginesEnvFile() });

  const failures: string[] = [];
  for (const { url, from } of candidates) {
    const failure = probe(engine, url);
    if (!failure) return { available: true, url };
    failures.push(`${label} at ${redact(url)} (from ${from}) does not answer: ${failure}`);
  }
  if (engine === 'eventstoredb') return { available: false, reason: [...failures, `${EVENTSTOREDB_UNAVAILABLE}; set ${envVar} to use one`].join('; ') };
  if (candidates.length === 0) failures.push(`${envVar} is not set and ${enginesEnvFile()} does not name it`);
  const notTried = 'not tried (only jest globalSetup, test/engines/global-setup.ts, tries it)';
  failures.push(`testcontainers: ${process.env[CONTAINER_RUNTIME_ENV] ?? notTried}`);
  failures.push(`test/engines/up.sh: ${process.env[PROVISIONER_ENV] ?? notTried}`);
  failures.push(`start one with: bash test/engines/up.sh ${engine}`);
  return { available: false, reason: failures.join('; ') };
}

/** Engines named in REQUIRE_ENGINES (comma-separated): for them a skip becomes a failing test. */
export function requiredEngines(): Engine[] {
  const named = (process.env['REQUIRE_ENGINES'] ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = named.filter((name) => !ENGINES.includes(name as Engine));
  if (unknown.length) throw new Error(`REQUIRE_ENGINES names unknown engines: ${unknown.join(', ')} (known: ${ENGINES.join(', ')})`);
  return named as Engine[];
}

/**
 * `describe` when `engine` is available. Otherwise the suite is skipped with the reason printed (and in its
 * title), or, when REQUIRE_ENGINES names the engine, replaced by one failing test that names the reason.
 */
export function describeWithEngine(engine: Engine, title: string, body: () => void): void {
  const availability = engineAvailability(engine);
  if (availability.available) {
    describe(title, body);
    return;
  }
  const { label } = ENGINE_SPECS[engine];
  const reason = availability.reason ?? `${label} is not available`;
  if (requiredEngines().includes(engine)) {
    describe(title, () => {
      it(`needs ${label} (REQUIRE_ENGINES=${process.env['REQUIRE_ENGINES']})`, () => {
        throw new Error(`${label} is required but not available: ${reason}`);
      });
    });
    return;
  }
  console.warn(`[engines] skipping "${title}": ${reason}`);
  describe.skip(`${title} [skipped: ${label} not available]`, body);
}

function required(engine: Engine): string {
  const availability = engineAvailability(engine);
  if (!availability.available || !availability.url) throw new Error(availability.reason ?? `${ENGINE_SPECS[engine].label} is not available`);
  return availability.url;
}

export interface FreshPostgresDatabase {
  /** The new database, as the admin role (owner: may migrate). */
  adminUrl: string;
  /** The new database, as the application role (CDT_TEST_POSTGRES_APP_ROLE, default cdt_app). */
  appUrl: string;
  appUser: string;
  name: string;
  drop(): Promise<void>;
}

/** A new, empty database owned by the admin role; migrations are the caller's business. */
export async function freshPostgresDatabase(): Promise<FreshPostgresDatabase> {
  const serverUrl = required('postgres');
  const { Client } = await import('pg');
  const name = `cdt_t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const run = async (sql: string) => {
    const client = new Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`create database ${name}`);
  const appUser = process.env['CDT_TEST_POSTGRES_APP_ROLE'] ?? 'cdt_app';
  const adminUrl = new URL(serverUrl);
  adminUrl.pathname = `/${name}`;
  const appUrl = new URL(adminUrl);
  appUrl.username = appUser;
  appUrl.password = process.env['CDT_TEST_POSTGRES_APP_PASSWORD'] ?? 'cdt_app';
  return {
    adminUrl: adminUrl.toString(),
    appUrl: appUrl.toString(),
    appUser,
    name,
    drop: () => run(`drop database if exists ${name} with (force)`),
  };
}

export interface FreshMongoDatabase {
  url: string;
  dbName: string;
  drop(): Promise<void>;
}

/** A database name nobody else uses, on the test MongoDB server (created on first write). */
export async function freshMongoDatabase(): Promise<FreshMongoDatabase> {
  const serverUrl = required('mongo');
  const dbName = `cdt_t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const url = withMongoDatabase(serverUrl, dbName);
  return {
    url,
    dbName,
    drop: async () => {
      const { createConnection } = await import('mongoose');
      const connection = await createConnection(url, { serverSelectionTimeoutMS: 5_000 }).asPromise();
      try {
        await connection.dropDatabase();
      } finally {
        await connection.close();
      }
    },
  };
}

/** `mongodb://hosts[/db][?options]` with the database replaced (hosts may be a comma list: no URL class). */
export function withMongoDatabase(serverUrl: string, dbName: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(serverUrl);
  if (!match) throw new Error(`not a MongoDB connection string: ${redact(serverUrl)}`);
  return `${match[1]}/${dbName}${match[2] ?? ''}`;
}

/** The Kafka bootstrap brokers (`host:port`). */
export function kafkaBrokers(): string[] {
  return required('kafka').split(',').map((broker) => broker.trim()).filter(Boolean);
}
