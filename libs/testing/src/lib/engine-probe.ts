import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Engine = 'postgres' | 'mongo' | 'kafka' | 'eventstoredb';

export interface EngineSpec {
  label: string;
  envVar: string;
}

export const ENGINE_SPECS: Record<Engine, EngineSpec> = {
  postgres: { label: 'PostgreSQL', envVar: 'CDT_TEST_POSTGRES_URL' },
  mongo: { label: 'MongoDB', envVar: 'CDT_TEST_MONGO_URL' },
  kafka: { label: 'Kafka', envVar: 'CDT_TEST_KAFKA_BROKERS' },
  eventstoredb: { label: 'EventStoreDB', envVar: 'CDT_TEST_EVENTSTOREDB_URL' },
};

export const ENGINES = Object.keys(ENGINE_SPECS) as Engine[];

/** Written by test/engines/up.sh; CDT_ENGINES_ENV_FILE points elsewhere (the harness's own spec uses it). */
export function enginesEnvFile(): string {
  return process.env['CDT_ENGINES_ENV_FILE'] ?? join(__dirname, '..', '..', '..', '..', 'test', 'engines', '.state', 'env');
}

/** `NAME=value` and `export NAME=value` lines of a sourceable env file; comments and bare `export A B` ignored. */
export function readEnvFile(file = enginesEnvFile()): Record<string, string> {
  if (!existsSync(file)) return {};
  const values: Record<string, string> = {};
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(raw);
    if (match) values[match[1]] = match[2].trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

/** The URL with its password masked, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

/*
 * Runs in a child node process so the answer is synchronous (describe blocks cannot await) and no socket,
 * timer or client of the probe can outlive it in the jest worker. Exit 0 when the engine answers a real
 * request; otherwise the reason on stdout.
 */
const PROBE_SCRIPT = `
const [engine, url] = process.argv.slice(1);
const fail = (error) => { process.stdout.write(String(error && error.message || error)); process.exit(1); };
const ok = () => process.exit(0);
setTimeout(() => fail('no answer within 2 s'), 2500).unref();
if (engine === 'postgres') {
  const { Client } = require('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.connect().then(() => client.query('select 1')).then(ok, fail);
} else if (engine === 'mongo') {
  const { MongoClient } = require('mongoose').mongo;
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 2000, connectTimeoutMS: 2000 });
  client.connect().then(() => client.db('admin').command({ ping: 1 })).then(ok, fail);
} else if (engine === 'kafka') {
  const { Kafka, logLevel } = require('kafkajs');
  const admin = new Kafka({ brokers: url.split(','), connectionTimeout: 2000, retry: { retries: 0 }, logLevel: logLevel.NOTHING }).admin();
  admin.connect().then(() => admin.describeCluster()).then(ok, fail);
} else {
  const { hostname, port } = new URL(url.replace(/^[a-z+]+:/, 'tcp:'));
  require('net').connect({ host: hostname, port: Number(port) || 2113, timeout: 2000 })
    .on('connect', ok).on('timeout', () => fail('connect timed out')).on('error', fail);
}`;

/** Undefined when the engine at `url` answers, else why not. */
export function probe(engine: Engine, url: string): string | undefined {
  const result = spawnSync(process.execPath, ['-e', PROBE_SCRIPT, engine, url], { cwd: __dirname, encoding: 'utf8', timeout: 8_000 });
  if (result.status === 0) return undefined;
  if (result.error) return result.error.message;
  return (result.stdout || result.stderr || `probe exited with ${result.status ?? result.signal}`).trim().split('\n')[0];
}
