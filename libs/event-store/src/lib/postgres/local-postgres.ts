import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/**
 * Stand-in for the engines harness (libs/testing engines.ts, test/engines/up.sh) until it lands:
 * an admin URL from CDT_TEST_POSTGRES_URL (role with CREATEDB), default the loopback cluster on 55432,
 * and a throwaway database per suite owned by the admin, used by the role `cdt_app`.
 */
const ADMIN_URL = process.env['CDT_TEST_POSTGRES_URL'] ?? 'postgres://cdt_admin:cdt_admin@127.0.0.1:55432/postgres';
const APP_ROLE = process.env['CDT_TEST_POSTGRES_APP_ROLE'] ?? 'cdt_app';
const APP_PASSWORD = process.env['CDT_TEST_POSTGRES_APP_PASSWORD'] ?? 'cdt_app';

function postgresAnswers(): boolean {
  const probe = `const { Client } = require('pg'); const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 2000 });
    c.connect().then(() => c.end()).then(() => process.exit(0), () => process.exit(1));`;
  return spawnSync(process.execPath, ['-e', probe, ADMIN_URL], { cwd: __dirname, timeout: 5000 }).status === 0;
}

export function describeWithPostgres(title: string, body: () => void): void {
  if (postgresAnswers()) return describe(title, body);
  const reason = `PostgreSQL not reachable at ${new URL(ADMIN_URL).host} (set CDT_TEST_POSTGRES_URL)`;
  if ((process.env['REQUIRE_ENGINES'] ?? '').split(',').includes('postgres')) {
    describe(title, () => it('needs PostgreSQL', () => { throw new Error(reason); }));
    return;
  }
  console.warn(`skipping "${title}": ${reason}`);
  describe.skip(title, body);
}

export async function freshPostgresDatabase(): Promise<{ adminUrl: string; appUrl: string; drop(): Promise<void> }> {
  const name = `cdt_es_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const adminUrl = new URL(ADMIN_URL);
  adminUrl.pathname = `/${name}`;
  const appUrl = new URL(adminUrl);
  appUrl.username = APP_ROLE;
  appUrl.password = APP_PASSWORD;
  return {
    adminUrl: adminUrl.toString(),
    appUrl: appUrl.toString(),
    drop: async () => {
      const client = new Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
