import { openReadModelDatabase } from './read-model-database';
import { BUILD_LEASE_MS, KpiVersions } from './kpi-versions';

/** The model each version holds, on PGlite (the same SQL runs on PostgreSQL). */
describe('KpiVersions: the model per version', () => {
  it('a fresh database starts with the model asked; an existing one keeps its own', async () => {
    const db = await openReadModelDatabase({ kind: 'memory' });
    try {
      const versions = new KpiVersions(db);
      await versions.ensure(2);
      await versions.ensure(1);
      expect((await versions.list()).map((v) => [v.schema, v.status, v.model])).toEqual([['kpi_v1', 'live', 2]]);
      expect(await versions.modelOf('kpi_v1')).toBe(2);
      expect(await versions.modelOf('kpi_reference')).toBeUndefined();
    } finally {
      await db.close();
    }
  });

  it('a database from before models were told apart reads its versions as model 1', async () => {
    const db = await openReadModelDatabase({ kind: 'memory' });
    try {
      await db.exec(`create schema kpi_meta;
        create table kpi_meta.versions (schema text primary key, status text not null check (status in ('building', 'live', 'retired')),
          created_at timestamptz not null default now(), heartbeat_at timestamptz not null default now());
        create table kpi_meta.active (id boolean primary key default true check (id), schema text not null, switched_at timestamptz not null default now());
        insert into kpi_meta.active (schema) values ('kpi_v4'); insert into kpi_meta.versions (schema, status) values ('kpi_v4', 'live');`);
      const versions = new KpiVersions(db);
      await versions.ensure(2);
      expect((await versions.list()).map((v) => [v.schema, v.model])).toEqual([['kpi_v4', 1]]);
      expect(await versions.startBuild()).toEqual({ schema: 'kpi_v5', resumed: false, model: 1 });
    } finally {
      await db.close();
    }
  });

  it('a build takes the live model unless asked; resumes an interrupted build of its model, retires one of the other', async () => {
    const db = await openReadModelDatabase({ kind: 'memory' });
    try {
      const versions = new KpiVersions(db);
      await versions.ensure(1);
      const t0 = new Date();
      const later = (n: number) => new Date(t0.getTime() + n * (BUILD_LEASE_MS + 1));
      expect(await versions.startBuild(t0, 2)).toEqual({ schema: 'kpi_v2', resumed: false, model: 2 });
      await expect(versions.startBuild(new Date(t0.getTime() + 1_000), 1)).rejects.toThrow('a rebuild of kpi_v2 is running');
      // Abandoned: resumed with its own model when none is asked, or when the same one is.
      expect(await versions.startBuild(later(1))).toEqual({ schema: 'kpi_v2', resumed: true, model: 2 });
      expect(await versions.startBuild(later(2), 2)).toEqual({ schema: 'kpi_v2', resumed: true, model: 2 });
      // Another model asked: the abandoned build is retired (dropped after the next switch), a new version started.
      expect(await versions.startBuild(later(3), 1)).toEqual({ schema: 'kpi_v3', resumed: false, model: 1 });
      expect((await versions.list()).map((v) => [v.schema, v.status, v.model])).toEqual([
        ['kpi_v1', 'live', 1],
        ['kpi_v2', 'retired', 2],
        ['kpi_v3', 'building', 1],
      ]);
      expect(await versions.switchTo('kpi_v3')).toBe('kpi_v1');
      expect((await versions.dropRetired()).sort()).toEqual(['kpi_v1', 'kpi_v2']);
      expect(await versions.startBuild(later(4))).toEqual({ schema: 'kpi_v4', resumed: false, model: 1 });
    } finally {
      await db.close();
    }
  });
});
