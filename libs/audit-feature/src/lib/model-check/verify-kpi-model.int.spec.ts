import { loadAdminUnits } from '@cdt/admin-units';
import { openEventStore, START, type ManagedEventStore } from '@cdt/event-store';
import { STORED_INDICATOR_CODES } from '@cdt/domain-kpi';
import { adminUnitResolver, openModelProjection, openReadModelDatabase, VersionedKpiReadStore, type ReadModelDatabaseOptions } from '@cdt/projection-feature';
import { pgDatabase } from '@cdt/read-store';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import { Pool } from 'pg';
import { appendFieldLog, fieldLog } from '../testing/field-log';
import { SCRATCH_SCHEMA, verifyKpiModel } from './verify-kpi-model';

const resolve = adminUnitResolver(loadAdminUnits());

interface Setup {
  events: ManagedEventStore;
  readModels: ReadModelDatabaseOptions;
  /** Runs SQL with rights over the live model's tables (PGlite's one user, or PostgreSQL's owner). */
  asSuperuser(readStore: VersionedKpiReadStore, sql: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** Projects the whole log into the live version with its model's projector, as the projection runner does. */
async function projectLive(events: ManagedEventStore, readStore: VersionedKpiReadStore): Promise<void> {
  const live = await openModelProjection(await readStore.version(await readStore.activeSchema()), resolve);
  let after = (await live.checkpoint()) ?? START;
  for (;;) {
    const page = await events.readAll({ after, limit: 7 });
    if (page.events.length > 0) await live.project(page.events, page.checkpoint);
    after = page.checkpoint;
    if (page.atHead || page.events.length === 0) return;
  }
}

function modelCheckSuite(title: string, setUp: () => Promise<Setup>): void {
  describe(`projections verify: ${title}`, () => {
    let setup: Setup;
    let readStore: VersionedKpiReadStore;
    beforeAll(async () => {
      setup = await setUp();
      await appendFieldLog(setup.events, fieldLog());
      readStore = await VersionedKpiReadStore.open(await openReadModelDatabase(setup.readModels));
      await projectLive(setup.events, readStore);
    });
    afterAll(async () => {
      await readStore?.close();
      await setup?.cleanup();
    });

    it('finds no difference on a consistent store, and drops its scratch schema', async () => {
      const report = await verifyKpiModel({ eventStore: setup.events, readStore, resolve, batchSize: 5 });
      expect(report).toMatchObject({ ok: true, live: 'kpi_v1', differenceCount: 0, differences: [], checkpoint: await setup.events.head() });
      expect(report.figuresCompared).toBeGreaterThan(500);
      expect(report.eventsProjected).toBeGreaterThan(40);
      const { rows } = await readStore.db.query(`select 1 from pg_namespace where nspname = '${SCRATCH_SCHEMA}'`);
      expect(rows).toEqual([]);
    });

    it('names the figure a superuser edited, and the target, with live and rebuilt values', async () => {
      await setup.asSuperuser(
        readStore,
        `update kpi_v1.figures set value = value + 5 where view = 'as-recorded' and level = 'province' and unit_key = '82' and period_kind = 'month' and period_key = '2025-03' and indicator = 'household-visits'`,
      );
      await setup.asSuperuser(readStore, `delete from kpi_v1.targets where unit_key = '82'`);
      const report = await verifyKpiModel({ eventStore: setup.events, readStore, resolve });
      expect(report.ok).toBe(false);
      expect(report.differenceCount).toBe(2);
      const visits = report.differences.find((d) => d.kind === 'figure');
      expect(visits).toMatchObject({ view: 'as-recorded', level: 'province', unitKey: '82', periodKind: 'month', period: '2025-03', indicator: 'household-visits' });
      expect(visits?.live).toBe(Number(visits?.rebuilt) + 5);
      expect(report.differences.find((d) => d.kind === 'target')).toEqual({ kind: 'target', unitKey: '82', indicator: 'household-visits', period: '2025', live: null, rebuilt: 20 });
    });

    it('resumes from a scratch schema an interrupted check left behind', async () => {
      const abort = new AbortController();
      await expect(verifyKpiModel({ eventStore: setup.events, readStore, resolve, batchSize: 5, signal: abort.signal, onProgress: (p) => p.done > 0 && abort.abort() })).rejects.toThrow();
      const resumed = await verifyKpiModel({ eventStore: setup.events, readStore, resolve, batchSize: 5 });
      expect(resumed).toMatchObject({ resumed: true, differenceCount: 2 });
      expect(resumed.eventsProjected).toBeLessThan(resumed.figuresCompared);
    });
  });
}

modelCheckSuite('embedded PGlite', async () => {
  const events = await openEventStore({ kind: 'memory' });
  return {
    events,
    readModels: { kind: 'memory' },
    // PGlite has one user, a superuser: the model's own connection is the one an intruder would have.
    asSuperuser: async (readStore, sql) => void (await readStore.db.query(sql)),
    cleanup: () => events.close(),
  };
});

describeWithEngine('postgres', 'projections verify on PostgreSQL', () => {
  modelCheckSuite('PostgreSQL, edited by the database owner', async () => {
    const database = await freshPostgresDatabase();
    const events = await openEventStore({ kind: 'postgres', url: database.appUrl, adminUrl: database.adminUrl, poolSize: 2 });
    const owner = pgDatabase(new Pool({ connectionString: database.adminUrl, max: 1 }));
    return {
      events,
      readModels: { kind: 'postgres', url: database.adminUrl, poolSize: 2 },
      asSuperuser: async (_readStore, sql) => void (await owner.query(sql)),
      cleanup: async () => {
        await events.close();
        await owner.close();
        await database.drop();
      },
    };
  });
});

describe('projections verify: KPI model 2 (embedded PGlite)', () => {
  let events: ManagedEventStore;
  let readStore: VersionedKpiReadStore;
  beforeAll(async () => {
    events = await openEventStore({ kind: 'memory' });
    await appendFieldLog(events, fieldLog());
    readStore = await VersionedKpiReadStore.open(await openReadModelDatabase({ kind: 'memory' }), { firstModel: 2 });
    await projectLive(events, readStore);
  });
  afterAll(async () => {
    await readStore?.close();
    await events?.close();
  });

  it('rebuilds a model-2 scratch and finds no difference on a consistent store', async () => {
    const report = await verifyKpiModel({ eventStore: events, readStore, resolve, batchSize: 5 });
    expect(report).toMatchObject({ ok: true, live: 'kpi_v1', model: 2, differenceCount: 0, differences: [], checkpoint: await events.head() });
    expect(report.figuresCompared).toBeGreaterThan(200);
    expect(report.eventsProjected).toBeGreaterThan(40);
    const { rows } = await readStore.db.query(`select 1 from pg_namespace where nspname = '${SCRATCH_SCHEMA}'`);
    expect(rows).toEqual([]);
  });

  it('names an edited cell value, a deleted fact and a deleted target', async () => {
    const slot = STORED_INDICATOR_CODES.indexOf('household-visits') + 1;
    await readStore.db.query(
      `update kpi_v1.cells set v[${slot}] = v[${slot}] + 5 where view = 'as-recorded' and level = 'province' and unit_key = '82' and period_kind = 'month' and period_key = '2025-03'`,
    );
    const { rows: [fact] } = await readStore.db.query<{ activity_id: string; team_id: string; day: string }>('select activity_id, team_id, day from kpi_v1.facts order by activity_id limit 1');
    await readStore.db.query('delete from kpi_v1.facts where activity_id = $1', [fact.activity_id]);
    await readStore.db.query(`delete from kpi_v1.targets where unit_key = '82'`);

    const report = await verifyKpiModel({ eventStore: events, readStore, resolve });
    expect(report).toMatchObject({ ok: false, model: 2, differenceCount: 3 });
    const visits = report.differences.find((d) => d.kind === 'figure');
    expect(visits).toMatchObject({ view: 'as-recorded', level: 'province', unitKey: '82', periodKind: 'month', period: '2025-03', indicator: 'household-visits' });
    expect(visits?.live).toBe(Number(visits?.rebuilt) + 5);
    const deleted = report.differences.find((d) => d.kind === 'fact');
    expect(deleted).toMatchObject({ indicator: 'fact', unitKey: fact.team_id, period: fact.day, live: null, rebuilt: 1 });
    expect(deleted?.detail?.startsWith(`${fact.activity_id}|`)).toBe(true);
    expect(report.differences.find((d) => d.kind === 'target')).toEqual({ kind: 'target', unitKey: '82', indicator: 'household-visits', period: '2025', live: null, rebuilt: 20 });
  });
});
