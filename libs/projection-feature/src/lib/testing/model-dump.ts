import type { UnitResolver } from '@cdt/domain-kpi';
import type { Checkpoint, EventStore } from '@cdt/event-store';
import { loadProjectorState, projectIntoStore, type KpiReadStore, type SqlClient } from '@cdt/read-store';
import type { VersionedKpiReadStore } from '../read-models/versioned-kpi-read-store';

/**
 * Every figure, live subject refcount, target and team of one model version, as sorted lines: two
 * versions hold the same model exactly when their dumps are equal. Zero rows are left out (a refcount
 * or figure that went back to 0 reads as absent; whether its row remains depends on batching).
 */
export async function dumpModel(db: SqlClient, schema: string): Promise<{ figures: string[]; refs: string[]; targets: string[]; teams: string[] }> {
  const lines = async (sql: string) => (await db.query<{ line: string }>(sql)).rows.map((r) => r.line).sort();
  return {
    figures: await lines(
      `select concat_ws('|', view, level, unit_key, period_kind, period_key, indicator, value, village, commune, district, province, placed_on) as line
         from ${schema}.figures where value <> 0`,
    ),
    refs: await lines(
      `select concat_ws('|', view, level, unit_key, period_kind, period_key, indicator, subject, refcount) as line from ${schema}.subject_refs where refcount <> 0`,
    ),
    targets: await lines(`select concat_ws('|', unit_key, indicator, period, value) as line from ${schema}.targets`),
    teams: await lines(`select team_id || '|' || record::text as line from ${schema}.teams`),
  };
}

/** Projects the whole log in one pass into `store` (an empty model version): the from-scratch reference. */
export async function projectWholeLog(eventStore: Pick<EventStore, 'readAll'>, store: KpiReadStore, resolve: UnitResolver): Promise<void> {
  let state = await loadProjectorState(store);
  let after: Checkpoint | undefined;
  for (;;) {
    const page = await eventStore.readAll({ after, limit: 50_000 });
    if (page.events.length > 0) ({ state } = await projectIntoStore(store, state, page.events, page.checkpoint, resolve));
    after = page.checkpoint;
    if (page.atHead) break;
  }
}

/** Projects the whole log in one pass into a new `schema`: the from-scratch reference a model must equal. */
export async function projectFromScratch(
  eventStore: Pick<EventStore, 'readAll'>,
  readStore: VersionedKpiReadStore,
  schema: string,
  resolve: UnitResolver,
): Promise<Awaited<ReturnType<typeof dumpModel>>> {
  await projectWholeLog(eventStore, await readStore.version(schema), resolve);
  return dumpModel(readStore.db, schema);
}
