import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cdt-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('defaults to embedded mode on 127.0.0.1:3000 with a 2mb body limit', () => {
    const config = loadConfig({ CDT_DATA_DIR: dataDir });
    expect(config).toMatchObject({ mode: 'embedded', host: '127.0.0.1', port: 3000, dataDir, bodyLimit: '2mb', logLevel: 'info' });
    expect(config.jwt).toMatchObject({ kind: 'secret', secretSource: 'dev-secret-file', issuer: 'cdt-ledger', audience: 'cdt-ledger' });
  });

  it('creates the embedded dev secret once, private to the user, and reuses it on the next start', () => {
    const first = loadConfig({ CDT_DATA_DIR: dataDir });
    const file = join(dataDir, 'dev-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = loadConfig({ CDT_DATA_DIR: dataDir });
    if (first.jwt.kind !== 'secret' || second.jwt.kind !== 'secret') throw new Error('expected secrets');
    expect(Buffer.from(second.jwt.secret).toString()).toBe(readFileSync(file, 'utf8'));
    expect(Buffer.from(second.jwt.secret)).toEqual(Buffer.from(first.jwt.secret));
  });

  it('takes CDT_JWT_SECRET from the environment over the dev secret', () => {
    const config = loadConfig({ CDT_DATA_DIR: dataDir, CDT_JWT_SECRET: 'x'.repeat(32), CDT_JWT_ISSUER: 'idp', CDT_JWT_AUDIENCE: 'api' });
    expect(config.jwt).toMatchObject({ kind: 'secret', secretSource: 'env', issuer: 'idp', audience: 'api' });
  });

  it('is in server mode when CDT_DATABASE_URL is set, and then requires a way to verify tokens', () => {
    expect(problemsOf({ CDT_DATA_DIR: dataDir, CDT_DATABASE_URL: 'postgres://app@localhost/cdt' })).toEqual([
      'CDT_JWT_SECRET or CDT_JWT_JWKS_URL is required in server mode (CDT_DATABASE_URL is set)',
    ]);
    const config = loadConfig({ CDT_DATABASE_URL: 'postgres://app@localhost/cdt', CDT_JWT_JWKS_URL: 'https://idp.example/jwks.json' });
    expect(config).toMatchObject({ mode: 'server', databaseUrl: 'postgres://app@localhost/cdt', jwt: { kind: 'jwks' } });
  });

  it('reports every bad variable at once, each by name', () => {
    const problems = problemsOf({
      CDT_DATA_DIR: dataDir,
      CDT_PORT: '70000',
      CDT_LOG_LEVEL: 'loud',
      CDT_BODY_LIMIT: 'huge',
      CDT_DATABASE_URL: 'mysql://x',
      CDT_JWT_SECRET: 'short',
    });
    expect(problems).toHaveLength(5);
    for (const name of ['CDT_PORT', 'CDT_LOG_LEVEL', 'CDT_BODY_LIMIT', 'CDT_DATABASE_URL', 'CDT_JWT_SECRET']) {
      expect(problems.some((problem) => problem.startsWith(name))).toBe(true);
    }
  });

  it('seals every 1,000 events or 5 minutes unless told otherwise, and names a bad sealer variable', () => {
    expect(loadConfig({ CDT_DATA_DIR: dataDir }).ledgerSealer).toEqual({ enabled: true, everyEvents: 1000, everyMs: 300_000 });
    expect(loadConfig({ CDT_DATA_DIR: dataDir, CDT_SEALER: 'off', CDT_SEAL_EVERY_EVENTS: '50', CDT_SEAL_EVERY_MINUTES: '0.5' }).ledgerSealer).toEqual({ enabled: false, everyEvents: 50, everyMs: 30_000 });
    const problems = problemsOf({ CDT_DATA_DIR: dataDir, CDT_SEALER: 'maybe', CDT_SEAL_EVERY_EVENTS: '1.5', CDT_SEAL_EVERY_MINUTES: '-1' });
    expect(problems.map((problem) => problem.split(' ')[0])).toEqual(['CDT_SEALER', 'CDT_SEAL_EVERY_EVENTS', 'CDT_SEAL_EVERY_MINUTES']);
  });

  it('refuses both a secret and a JWKS URL', () => {
    expect(problemsOf({ CDT_JWT_SECRET: 'x'.repeat(32), CDT_JWT_JWKS_URL: 'https://idp.example/jwks.json' })).toEqual([
      'CDT_JWT_SECRET and CDT_JWT_JWKS_URL are both set: choose one way to verify tokens',
    ]);
  });

  it('refuses a dev secret file that was truncated', () => {
    writeFileSync(join(dataDir, 'dev-secret'), 'abc');
    expect(() => loadConfig({ CDT_DATA_DIR: dataDir })).toThrow(/shorter than 32 bytes/);
  });

  it('reads the Kafka bus settings, and names each bad one', () => {
    expect(loadConfig({ CDT_DATA_DIR: dataDir })).toMatchObject({ kafka: undefined, projectionSource: 'store' });
    expect(loadConfig({ CDT_DATA_DIR: dataDir, CDT_KAFKA_BROKERS: 'k1:9092, k2:9092', CDT_PROJECTION_SOURCE: 'kafka' })).toMatchObject({
      kafka: { brokers: ['k1:9092', 'k2:9092'], topic: 'cdt.events', relay: true },
      projectionSource: 'kafka',
    });
    expect(loadConfig({ CDT_DATA_DIR: dataDir, CDT_KAFKA_BROKERS: 'k1:9092', CDT_KAFKA_TOPIC: 'cdt.events.v2', CDT_KAFKA_RELAY: 'off' }).kafka).toEqual({
      brokers: ['k1:9092'],
      topic: 'cdt.events.v2',
      relay: false,
    });
    expect(problemsOf({ CDT_DATA_DIR: dataDir, CDT_PROJECTION_SOURCE: 'kafka' })).toEqual(['CDT_PROJECTION_SOURCE is kafka but CDT_KAFKA_BROKERS is not set']);
    expect(problemsOf({ CDT_DATA_DIR: dataDir, CDT_KAFKA_BROKERS: 'http://k1', CDT_KAFKA_TOPIC: 'bad topic', CDT_KAFKA_RELAY: 'maybe', CDT_PROJECTION_SOURCE: 'bus' })).toEqual([
      'CDT_KAFKA_BROKERS must be a comma-separated list of host:port (got "http://k1")',
      'CDT_KAFKA_TOPIC must be a Kafka topic name: letters, digits, . _ - (got "bad topic")',
      'CDT_KAFKA_RELAY must be on or off (got "maybe")',
      'CDT_PROJECTION_SOURCE must be store or kafka (got "bus")',
    ]);
  });

  it('reads CDT_READ_MODEL_URL (MongoDB read models), and names each bad value', () => {
    expect(loadConfig({ CDT_DATA_DIR: dataDir }).readModelUrl).toBeUndefined();
    expect(loadConfig({ CDT_DATA_DIR: dataDir, CDT_READ_MODEL_URL: 'mongodb://m1:27017,m2:27017/cdt_kpi?replicaSet=rs0' }).readModelUrl).toBe(
      'mongodb://m1:27017,m2:27017/cdt_kpi?replicaSet=rs0',
    );
    expect(loadConfig({ CDT_DATA_DIR: dataDir, CDT_READ_MODEL_URL: 'mongodb+srv://user:p%40ss@cluster.example/cdt' }).readModelUrl).toBe('mongodb+srv://user:p%40ss@cluster.example/cdt');
    expect(problemsOf({ CDT_DATA_DIR: dataDir, CDT_READ_MODEL_URL: 'postgres://db/cdt' })).toEqual([
      'CDT_READ_MODEL_URL must be a MongoDB URL: mongodb://host:port/<database> or mongodb+srv://host/<database>',
    ]);
    expect(problemsOf({ CDT_DATA_DIR: dataDir, CDT_READ_MODEL_URL: 'mongodb://m1:27017' })).toEqual(['CDT_READ_MODEL_URL must name a database: mongodb://host:port/<database>']);
    expect(problemsOf({ CDT_DATA_DIR: dataDir, CDT_READ_MODEL_URL: 'mongodb://m1:27017/?authSource=admin' })).toEqual(['CDT_READ_MODEL_URL must name a database: mongodb://host:port/<database>']);
    expect(problemsOf({ CDT_DATA_DIR: dataDir, CDT_READ_MODEL_URL: 'mongodb://m1:27017/cdt.kpi', CDT_LOG_LEVEL: 'loud' })).toEqual([
      'CDT_READ_MODEL_URL names an invalid MongoDB database "cdt.kpi" (no / \\ . space " or $)',
      'CDT_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ]);
  });
});
