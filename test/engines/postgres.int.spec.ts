import { describeWithEngine, engineAvailability, freshPostgresDatabase } from '@cdt/testing';
import { Client } from 'pg';

async function query<Row>(url: string, sql: string): Promise<Row[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Row[];
  } finally {
    await client.end();
  }
}

describeWithEngine('postgres', 'PostgreSQL from the engines harness', () => {
  it('is PostgreSQL 15 set up for many pools and cut-off idle transactions', async () => {
    const [settings] = await query<{ version: string; max: number; idle: string }>(
      engineAvailability('postgres').url as string,
      "select current_setting('server_version_num') as version, current_setting('max_connections')::int as max, current_setting('idle_in_transaction_session_timeout') as idle",
    );
    expect(settings.version).toMatch(/^15/);
    expect(settings.max).toBeGreaterThanOrEqual(200);
    expect(settings.idle).not.toBe('0');
  });

  it('gives each suite its own database: the admin owns it, the application role connects, drop removes it', async () => {
    const database = await freshPostgresDatabase();
    await query(database.adminUrl, 'create table t (n int); insert into t values (1)');
    await query(database.adminUrl, `grant select on t to ${database.appUser}`);
    expect(await query(database.appUrl, 'select n, current_user as who from t')).toEqual([{ n: 1, who: database.appUser }]);
    await expect(query(database.appUrl, 'insert into t values (2)')).rejects.toMatchObject({ code: '42501' });

    await database.drop();
    const left = await query<{ n: number }>(engineAvailability('postgres').url as string, `select count(*)::int as n from pg_database where datname = '${database.name}'`);
    expect(left).toEqual([{ n: 0 }]);
  });

  it('drops a database while the application role is still connected to it', async () => {
    const database = await freshPostgresDatabase();
    const lingering = new Client({ connectionString: database.appUrl });
    lingering.on('error', () => undefined); // its session is about to be terminated
    await lingering.connect();
    try {
      await database.drop();
    } finally {
      await lingering.end().catch(() => undefined);
    }
  });
});
