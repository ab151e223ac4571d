import type { UnitResolver } from '@cdt/domain-kpi';
import type { Checkpoint, EventStore } from '@cdt/event-store';
import { SqlKpiModel2Store, SqlKpiReadStore, type SqlClient } from '@cdt/read-store';
import type { KpiModel, KpiVersionStore } from '../read-models/kpi-model';
import type { VersionedKpiReadStore } from '../read-models/versioned-kpi-read-store';
import { catchUpWriter } from '../runner/model-projection';

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

/**
 * Every fact, stock fact, non-zero cell, target and team of one model-2 version, as sorted lines: two
 * model-2 versions hold the same model exactly when their dumps are equal. Left out: `seq` (write order
 * numbers; a rolled-back batch consumes some), cells whose vector is all zeros (whether such a row remains
 * depends on batching), and what depends on how the version was fed: applied event ids (a pipelined
 * catch-up records none, its checkpoint covers them; the batch-by-batch path records them) and
 * unrecorded_teams (a team established in the batch of its first facts is noted too).
 */
export async function dumpModel2(db: SqlClient, schema: string): Promise<{ facts: string[]; stockFacts: string[]; cells: string[]; targets: string[]; teams: string[] }> {
  const lines = async (sql: string) => (await db.query<{ line: string }>(sql)).rows.map((r) => r.line).sort();
  return {
    facts: await lines(
      `select concat_ws('|', activity_id, team_id, commune_code, village, district_code, province_code, day, counts::text, subject_codes::text, subjects::text) as line from ${schema}.facts`,
    ),
    stockFacts: await lines(
      `select concat_ws('|', event_id, team_id, commune_code, village, district_code, province_code, day, indicator, delta, scope) as line from ${schema}.stock_facts`,
    ),
    cells: await lines(
      `select concat_ws('|', view, level, unit_key, period_kind, period_key, v::text, village, commune, district, province, placed_on) as line
         from ${schema}.cells where exists (select 1 from unnest(v) as x where x <> 0)`,
    ),
    targets: await lines(`select concat_ws('|', unit_key, indicator, period, value) as line from ${schema}.targets`),
    teams: await lines(`select team_id || '|' || record::text as line from ${schema}.teams`),
  };
}

/** The dump of a version of either model (dumpModel or dumpModel2). */
export const dumpVersion = (db: SqlClient, schema: string, model: KpiModel): Promise<Record<string, string[]>> => (model === 1 ? dumpModel(db, schema) : dumpModel2(db, schema));

/** Projects the whole log in one pass into `version` (an empty model version, of either model): the from-scratch reference. */
export async function projectWholeLog(eventStore: Pick<EventStore, 'readAllNarrow'>, version: KpiVersionStore, resolve: UnitResolver): Promise<void> {
  const writer = await catchUpWriter(version, resolve);
  let after: Checkpoint | undefined;
  for (;;) {
    const page = await eventStore.readAllNarrow({ after, limit: 50_000 });
    if (page.events.length > 0) await writer.push(page.events, page.checkpoint);
    after = page.checkpoint;
    if (page.atHead) break;
  }
  await writer.flush();
}

/** Projects the whole log in one pass into a new `schema` holding `model`: the from-scratch reference a version must equal (its dump). */
export async function projectFromScratch(
  eventStore: Pick<EventStore, 'readAllNarrow'>,
  readStore: VersionedKpiReadStore,
  schema: string,
  resolve: UnitResolver,
  model: KpiModel = 1,
): Promise<Record<string, string[]>> {
  const version: KpiVersionStore = model === 1 ? { model, store: await SqlKpiReadStore.open(readStore.db, schema) } : { model, store: await SqlKpiModel2Store.open(readStore.db, schema) };
  await projectWholeLog(eventStore, version, resolve);
  return dumpVersion(readStore.db, schema, model);
}
