import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export const CDT_CONFIG = Symbol('CDT_CONFIG');

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * How bearer tokens are verified: an HS256 shared secret, or the public keys of an identity
 * provider (JWKS). `secretSource` says where the secret came from, so start-up can tell the operator.
 */
export type JwtConfig =
  | { kind: 'secret'; secret: Uint8Array; secretSource: 'env' | 'dev-secret-file'; issuer: string; audience: string }
  | { kind: 'jwks'; jwksUrl: string; issuer: string; audience: string };

export interface CdtConfig {
  /** `embedded`: PGlite under dataDir; `server`: PostgreSQL at databaseUrl. */
  mode: 'embedded' | 'server';
  port: number;
  host: string;
  /** Absolute path. */
  dataDir: string;
  databaseUrl?: string;
  /** Owner connection used to run migrations at start (server mode, optional). */
  databaseAdminUrl?: string;
  jwt: JwtConfig;
  logLevel: LogLevel;
  /** Largest accepted request body, in body-parser notation (`2mb`, `512kb`). */
  bodyLimit: string;
  /** The KPI read models' MongoDB database (CDT_READ_MODEL_URL, cluster mode); unset: PGlite or the event store's PostgreSQL. */
  readModelUrl?: string;
  /** Cluster mode's bus (CDT_KAFKA_BROKERS): the relay publishes the log here, readers may consume it. */
  kafka?: KafkaConfig;
  /** Where the KPI projection reads the log: the store's own subscription, or the Kafka topic. */
  projectionSource: 'store' | 'kafka';
  /** The ledger sealer of apps that run one (standalone): a seal every N events or T ms (ADR 0005 §9). */
  ledgerSealer: LedgerSealerConfig;
}

export interface LedgerSealerConfig {
  /** CDT_SEALER=off turns it off (another process seals, e.g. `cdt audit seal` from cron). */
  enabled: boolean;
  /** CDT_SEAL_EVERY_EVENTS: a seal as soon as this many events are unsealed (default 1000). */
  everyEvents: number;
  /** CDT_SEAL_EVERY_MINUTES (may be fractional), in ms: the unsealed rest is sealed once this old (default 5 min). */
  everyMs: number;
}

export interface KafkaConfig {
  brokers: string[];
  /** The one-partition event topic (CDT_KAFKA_TOPIC, default `cdt.events`). */
  topic: string;
  /** Whether this process runs the relay (CDT_KAFKA_RELAY=on|off, default on). */
  relay: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** A secret shorter than the HS256 output is brute-forceable; RFC 7518 §3.2 asks for at least 256 bits. */
const MIN_SECRET_BYTES = 32;
const DEV_SECRET_FILE = 'dev-secret';
const BODY_LIMIT = /^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i;

/**
 * Parses and validates the CDT_* variables once at start-up. Every problem is reported at once, each
 * naming its variable. In embedded mode without a configured secret, an HS256 secret is generated on
 * first start and kept in `<dataDir>/dev-secret`, so dev tokens survive a restart.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): CdtConfig {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const port = parsePort(text('CDT_PORT'), problems);
  const host = text('CDT_HOST') ?? '127.0.0.1';
  const dataDirRaw = text('CDT_DATA_DIR') ?? './.data';
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(process.cwd(), dataDirRaw);

  const databaseUrl = text('CDT_DATABASE_URL');
  if (databaseUrl !== undefined) checkUrl('CDT_DATABASE_URL', databaseUrl, ['postgres:', 'postgresql:'], problems);
  const databaseAdminUrl = text('CDT_DATABASE_ADMIN_URL');
  if (databaseAdminUrl !== undefined) {
    checkUrl('CDT_DATABASE_ADMIN_URL', databaseAdminUrl, ['postgres:', 'postgresql:'], problems);
    if (databaseUrl === undefined) problems.push('CDT_DATABASE_ADMIN_URL is set but CDT_DATABASE_URL is not: set both for server mode');
  }
  const mode = databaseUrl === undefined ? 'embedded' : 'server';
  const readModelUrl = text('CDT_READ_MODEL_URL');
  if (readModelUrl !== undefined) checkMongoUrl('CDT_READ_MODEL_URL', readModelUrl, problems);

  const logLevelRaw = (text('CDT_LOG_LEVEL') ?? 'info').toLowerCase();
  const logLevel = LOG_LEVELS.find((level) => level === logLevelRaw);
  if (logLevel === undefined) problems.push(`CDT_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevelRaw}")`);

  const bodyLimit = text('CDT_BODY_LIMIT') ?? '2mb';
  if (!BODY_LIMIT.test(bodyLimit)) problems.push(`CDT_BODY_LIMIT must be a size such as 2mb, 512kb or 1048576 (got "${bodyLimit}")`);

  const issuer = text('CDT_JWT_ISSUER') ?? 'cdt-ledger';
  const audience = text('CDT_JWT_AUDIENCE') ?? 'cdt-ledger';
  const jwt = jwtConfig({ secret: text('CDT_JWT_SECRET'), jwksUrl: text('CDT_JWT_JWKS_URL'), issuer, audience, mode, dataDir }, problems);

  const kafka = kafkaConfig(text('CDT_KAFKA_BROKERS'), text('CDT_KAFKA_TOPIC'), text('CDT_KAFKA_RELAY'), problems);
  const projectionSource = text('CDT_PROJECTION_SOURCE') ?? 'store';
  if (projectionSource !== 'store' && projectionSource !== 'kafka') problems.push(`CDT_PROJECTION_SOURCE must be store or kafka (got "${projectionSource}")`);
  else if (projectionSource === 'kafka' && kafka === undefined) problems.push('CDT_PROJECTION_SOURCE is kafka but CDT_KAFKA_BROKERS is not set');

  const ledgerSealer = ledgerSealerConfig(text('CDT_SEALER'), text('CDT_SEAL_EVERY_EVENTS'), text('CDT_SEAL_EVERY_MINUTES'), problems);

  if (problems.length > 0 || jwt === undefined || logLevel === undefined) throw new ConfigError(problems);
  return { mode, port, host, dataDir, databaseUrl, databaseAdminUrl, readModelUrl, jwt, logLevel, bodyLimit, kafka, projectionSource: projectionSource as CdtConfig['projectionSource'], ledgerSealer };
}

function parsePort(raw: string | undefined, problems: string[]): number {
  if (raw === undefined) return 3000;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65_535) {
    problems.push(`CDT_PORT must be an integer from 0 to 65535 (got "${raw}"; 0 picks a free port)`);
    return 3000;
  }
  return port;
}

const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const KAFKA_TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

function kafkaConfig(brokersRaw: string | undefined, topicRaw: string | undefined, relayRaw: string | undefined, problems: string[]): KafkaConfig | undefined {
  if (brokersRaw === undefined) {
    if (topicRaw !== undefined || relayRaw !== undefined) problems.push('CDT_KAFKA_TOPIC or CDT_KAFKA_RELAY is set but CDT_KAFKA_BROKERS is not');
    return undefined;
  }
  const brokers = brokersRaw.split(',').map((broker) => broker.trim()).filter((broker) => broker !== '');
  const bad = brokers.filter((broker) => !BROKER.test(broker));
  if (brokers.length === 0 || bad.length > 0) problems.push(`CDT_KAFKA_BROKERS must be a comma-separated list of host:port (got "${brokersRaw}")`);
  const topic = topicRaw ?? 'cdt.events';
  if (!KAFKA_TOPIC.test(topic)) problems.push(`CDT_KAFKA_TOPIC must be a Kafka topic name: letters, digits, . _ - (got "${topic}")`);
  const relay = (relayRaw ?? 'on').toLowerCase();
  if (relay !== 'on' && relay !== 'off') problems.push(`CDT_KAFKA_RELAY must be on or off (got "${relayRaw}")`);
  return { brokers, topic, relay: relay === 'on' };
}

function ledgerSealerConfig(switchRaw: string | undefined, eventsRaw: string | undefined, minutesRaw: string | undefined, problems: string[]): LedgerSealerConfig {
  const sealer = (switchRaw ?? 'on').toLowerCase();
  if (sealer !== 'on' && sealer !== 'off') problems.push(`CDT_SEALER must be on or off (got "${switchRaw}")`);
  const everyEvents = eventsRaw === undefined ? 1000 : Number(eventsRaw);
  if (!/^\d+$/.test(eventsRaw ?? '1000') || everyEvents < 1) problems.push(`CDT_SEAL_EVERY_EVENTS must be a positive integer (got "${eventsRaw}")`);
  const minutes = minutesRaw === undefined ? 5 : Number(minutesRaw);
  if (!Number.isFinite(minutes) || minutes <= 0) problems.push(`CDT_SEAL_EVERY_MINUTES must be a positive number of minutes, e.g. 5 or 0.5 (got "${minutesRaw}")`);
  return { enabled: sealer !== 'off', everyEvents, everyMs: Math.round(minutes * 60_000) };
}

function checkUrl(name: string, raw: string, protocols: string[], problems: string[]): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`${name} is not a URL`);
    return;
  }
  if (!protocols.includes(url.protocol)) problems.push(`${name} must use ${protocols.join(' or ')} (got ${url.protocol})`);
}

const MONGO_URL = /^(mongodb|mongodb\+srv):\/\/(?:[^@/?#]*@)?([^/?#]+)(?:\/([^?#]*))?(?:\?[^#]*)?$/;

/**
 * A MongoDB connection string (several hosts allowed, which `new URL` refuses) that names its database:
 * without one the driver would write to `test`.
 */
function checkMongoUrl(name: string, raw: string, problems: string[]): void {
  const match = MONGO_URL.exec(raw);
  if (!match) {
    problems.push(`${name} must be a MongoDB URL: mongodb://host:port/<database> or mongodb+srv://host/<database>`);
    return;
  }
  const database = decodeURIComponent(match[3] ?? '');
  if (database === '') problems.push(`${name} must name a database: mongodb://host:port/<database>`);
  else if (/[/\\. "$]/.test(database)) problems.push(`${name} names an invalid MongoDB database "${database}" (no / \\ . space " or $)`);
}

interface JwtInputs {
  secret?: string;
  jwksUrl?: string;
  issuer: string;
  audience: string;
  mode: CdtConfig['mode'];
  dataDir: string;
}

function jwtConfig(inputs: JwtInputs, problems: string[]): JwtConfig | undefined {
  const { secret, jwksUrl, issuer, audience, mode, dataDir } = inputs;
  if (secret !== undefined && jwksUrl !== undefined) {
    problems.push('CDT_JWT_SECRET and CDT_JWT_JWKS_URL are both set: choose one way to verify tokens');
    return undefined;
  }
  if (jwksUrl !== undefined) {
    checkUrl('CDT_JWT_JWKS_URL', jwksUrl, ['https:', 'http:'], problems);
    return { kind: 'jwks', jwksUrl, issuer, audience };
  }
  if (secret !== undefined) {
    if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
      problems.push(`CDT_JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes (HS256)`);
      return undefined;
    }
    return { kind: 'secret', secret: new TextEncoder().encode(secret), secretSource: 'env', issuer, audience };
  }
  if (mode === 'server') {
    problems.push('CDT_JWT_SECRET or CDT_JWT_JWKS_URL is required in server mode (CDT_DATABASE_URL is set)');
    return undefined;
  }
  return { kind: 'secret', secret: devSecret(dataDir), secretSource: 'dev-secret-file', issuer, audience };
}

/** Embedded mode only: one random secret per data directory, created on first start. */
function devSecret(dataDir: string): Uint8Array {
  const file = join(dataDir, DEV_SECRET_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(file, 0o600);
  const secret = readFileSync(file, 'utf8').trim();
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new ConfigError([`${file} holds a secret shorter than ${MIN_SECRET_BYTES} bytes: delete it to get a new one`]);
  }
  return new TextEncoder().encode(secret);
}
