import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo, Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnvFile, redact } from './engine-probe';
import { EVENTSTOREDB_UNAVAILABLE, requiredEngines, resolveEngine, withMongoDatabase } from './engines';

type EnginesModule = typeof import('./engines');

const VARS = ['CDT_ENGINES_ENV_FILE', 'CDT_ENGINES_RESOLVED', 'CDT_ENGINES_CONTAINER_RUNTIME', 'CDT_ENGINES_PROVISIONER', 'CDT_TEST_POSTGRES_URL', 'CDT_TEST_EVENTSTOREDB_URL', 'REQUIRE_ENGINES'];
const saved = Object.fromEntries(VARS.map((name) => [name, process.env[name]]));
let dir: string;

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A fresh copy of the module: its availability cache starts empty. */
function freshEngines(): EnginesModule {
  let engines: EnginesModule | undefined;
  jest.isolateModules(() => {
    engines = jest.requireActual<EnginesModule>('./engines');
  });
  return engines as EnginesModule;
}

/** Runs `register` with describe/it replaced by recorders; returns what it declared. */
function declared(register: () => void): { suites: string[]; skipped: string[]; tests: { name: string; fn: () => unknown }[] } {
  const found = { suites: [] as string[], skipped: [] as string[], tests: [] as { name: string; fn: () => unknown }[] };
  const globals = globalThis as unknown as Record<'describe' | 'it', unknown>;
  const real = { describe: globals.describe, it: globals.it };
  const fakeDescribe = Object.assign((title: string, body: () => void) => (found.suites.push(title), body()), {
    skip: (title: string) => void found.skipped.push(title),
  });
  globals.describe = fakeDescribe;
  globals.it = (name: string, fn: () => unknown) => void found.tests.push({ name, fn });
  try {
    register();
  } finally {
    Object.assign(globals, real);
  }
  return found;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdt-engines-'));
  for (const name of VARS) delete process.env[name];
  process.env['CDT_ENGINES_ENV_FILE'] = join(dir, 'env');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const name of VARS) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('the env file written by up.sh', () => {
  it('reads NAME=value and export NAME=value lines, unquoting values and ignoring comments', () => {
    writeFileSync(join(dir, 'env'), "# comment\nA=postgres://a:b@h:1/db\nexport B='q v'\nexport A B\n  C=\"x=y\"\n");
    expect(readEnvFile()).toEqual({ A: 'postgres://a:b@h:1/db', B: 'q v', C: 'x=y' });
  });

  it('is optional', () => {
    expect(readEnvFile(join(dir, 'missing'))).toEqual({});
  });
});

describe('resolving an engine', () => {
  it('tries the env URL, then the env file, and names each with its failure, the container and up.sh steps and the fix', async () => {
    const [envPort, filePort] = [await closedPort(), await closedPort()];
    process.env['CDT_TEST_POSTGRES_URL'] = `postgres://cdt_admin:secret@127.0.0.1:${envPort}/postgres`;
    writeFileSync(join(dir, 'env'), `CDT_TEST_POSTGRES_URL=postgres://cdt_admin:secret@127.0.0.1:${filePort}/postgres\n`);
    process.env['CDT_ENGINES_CONTAINER_RUNTIME'] = 'no container runtime answered (test)';
    process.env['CDT_ENGINES_PROVISIONER'] = 'failed: no postgres here (test)';

    const { available, reason } = resolveEngine('postgres');

    expect(available).toBe(false);
    expect(reason).not.toContain('secret');
    expect(reason?.indexOf(`127.0.0.1:${envPort}`)).toBeLessThan(reason?.indexOf(`127.0.0.1:${filePort}`) ?? -1);
    expect(reason).toContain('(from $CDT_TEST_POSTGRES_URL) does not answer');
    expect(reason).toContain('testcontainers: no container runtime answered (test); test/engines/up.sh: failed: no postgres here (test)');
    expect(reason).toContain('bash test/engines/up.sh postgres');
  });

  it('says which variable to set when nothing names the engine', () => {
    expect(resolveEngine('postgres').reason).toMatch(/^CDT_TEST_POSTGRES_URL is not set and .*env does not name it/);
  });

  it('takes an engine that answers, within the 2 s probe', async () => {
    const server: Server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      process.env['CDT_TEST_EVENTSTOREDB_URL'] = `esdb://127.0.0.1:${(server.address() as AddressInfo).port}?tls=false`;
      expect(resolveEngine('eventstoredb')).toEqual({ available: true, url: process.env['CDT_TEST_EVENTSTOREDB_URL'] });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('gives EventStoreDB only through its env URL, with the documented reason otherwise', () => {
    writeFileSync(join(dir, 'env'), 'CDT_TEST_EVENTSTOREDB_URL=esdb://127.0.0.1:1\n');
    expect(resolveEngine('eventstoredb')).toEqual({ available: false, reason: `${EVENTSTOREDB_UNAVAILABLE}; set CDT_TEST_EVENTSTOREDB_URL to use one` });
  });
});

describe('describeWithEngine', () => {
  beforeEach(async () => {
    process.env['CDT_TEST_EVENTSTOREDB_URL'] = `esdb://127.0.0.1:${await closedPort()}`;
  });

  it('skips a suite whose engine is missing, saying why', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const found = declared(() => freshEngines().describeWithEngine('eventstoredb', 'store on ESDB', () => undefined));
      expect(found.skipped).toEqual(['store on ESDB [skipped: EventStoreDB not available]']);
      expect(warn.mock.calls[0][0]).toMatch(/^\[engines\] skipping "store on ESDB": EventStoreDB at esdb:\/\/127\.0\.0\.1:\d+ .*does not answer/);
    } finally {
      warn.mockRestore();
    }
  });

  it('turns the skip into a failing test when REQUIRE_ENGINES names the engine', () => {
    process.env['REQUIRE_ENGINES'] = 'postgres,eventstoredb';
    const found = declared(() => freshEngines().describeWithEngine('eventstoredb', 'store on ESDB', () => undefined));
    expect(found.suites).toEqual(['store on ESDB']);
    expect(found.tests.map((test) => test.name)).toEqual(['needs EventStoreDB (REQUIRE_ENGINES=postgres,eventstoredb)']);
    expect(found.tests[0].fn).toThrow(/EventStoreDB is required but not available: EventStoreDB at esdb/);
  });

  it('runs the suite when the engine answers', async () => {
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      process.env['CDT_TEST_EVENTSTOREDB_URL'] = `esdb://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const body = jest.fn();
      const found = declared(() => freshEngines().describeWithEngine('eventstoredb', 'store on ESDB', body));
      expect(found.suites).toEqual(['store on ESDB']);
      expect(body).toHaveBeenCalled();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a REQUIRE_ENGINES with a name it does not know', () => {
    process.env['REQUIRE_ENGINES'] = 'postgres, mongodb';
    expect(() => requiredEngines()).toThrow('REQUIRE_ENGINES names unknown engines: mongodb');
  });
});

describe('helpers', () => {
  it('puts the database into a MongoDB connection string, keeping hosts and options', () => {
    expect(withMongoDatabase('mongodb://127.0.0.1:57017', 'd1')).toBe('mongodb://127.0.0.1:57017/d1');
    expect(withMongoDatabase('mongodb://u:p@a:1,b:2/old?replicaSet=rs0', 'd1')).toBe('mongodb://u:p@a:1,b:2/d1?replicaSet=rs0');
    expect(() => withMongoDatabase('postgres://x', 'd1')).toThrow('not a MongoDB connection string');
  });

  it('masks passwords in messages', () => {
    expect(redact('postgres://cdt_admin:cdt_admin@127.0.0.1:55432/postgres')).toBe('postgres://cdt_admin:***@127.0.0.1:55432/postgres');
  });
});
