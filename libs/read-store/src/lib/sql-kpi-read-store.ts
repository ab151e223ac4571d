import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Checkpoint } from '@cdt/event-store';
import {
  INDICATORS,
  figureKeyString,
  type KpiDeltas,
  type RefDelta,
  type Level,
  type TeamContributions,
  type TeamRecord,
  type UnitFigures,
  type View,
} from '@cdt/domain-kpi';
import { parsePeriod, type PeriodKind } from '@cdt/domain-shared';
import { blankUnit, emptyFiguresUnder, planFiguresUnder, type FiguresUnder, type FiguresUnderQuery } from './figures-under';
import type { KpiQueryStore, KpiReadStore, KpiSnapshot } from './read-store.port';
import { appliedAmong, applyCheckpointedBatch, createModelSchema, storedCheckpoint, teamRecords } from './sql-shared-tables';
import { readSnapshot, type SqlClient, type SqlDatabase } from './sql-database';

const FLOWS = INDICATORS.filter((i) => i.definition.kind === 'count' || i.definition.kind === 'distinct').map((i) => i.code);
const STOCKS = INDICATORS.filter((i) => i.definition.kind === 'stock').map((i) => i.code);
const COVERED = INDICATORS.flatMap((i) => (i.definition.kind === 'covered' ? [{ code: i.code, ...i.definition }] : []));
const LEVEL_RANK: Record<Level, number> = { team: 0, village: 1, commune: 2, district: 3, province: 4, nation: 5 };
/** The placement column that names a unit of this level as an ancestor. */
const ANCESTOR_COLUMN: Partial<Record<Level, string>> = { village: 'village', commune: 'commune', district: 'district', province: 'province' };

const periodKindOf = (period: string): PeriodKind => {
  const kind = parsePeriod(period)?.kind;
  if (!kind) throw new Error(`${period} is not a period key`);
  return kind;
};

/** Per figure key the refs of a batch move, the placement resolved for the latest day (ties: the last seen). */
const latestPlacements = (refs: readonly RefDelta[]): RefDelta[] => {
  const latest = new Map<string, RefDelta>();
  for (const ref of refs) {
    const key = figureKeyString(ref);
    const before = latest.get(key);
    if (!before || ref.placedOn >= before.placedOn) latest.set(key, ref);
  }
  return [...latest.values()];
};

/** `lower` ≤ `upper`? Same comparison as JS string order for the ASCII period and unit keys. */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `[cell, v, cell, v, …]` (each cell's index in the answer's arrays, `period * width + indicator`, as
 * figuresUnder's statement writes them) into `cells`. A value PostgreSQL cannot write as a JSON number
 * (a float8 Infinity or NaN target) comes as a string and is read by Number, as before.
 */
const fillCells = (json: string | null, cells: (number | null)[]): void => {
  if (json === null) return;
  const flat = JSON.parse(json) as (number | string)[];
  for (let k = 0; k < flat.length; k += 2) cells[flat[k] as number] = Number(flat[k + 1]);
};

/**
 * The KPI read store on PostgreSQL or PGlite (same SQL). A batch is written in one transaction with
 * the checkpoint; each table is written by one set-based statement over arrays, so a batch of
 * thousands of events costs a handful of round trips.
 */
export class SqlKpiReadStore implements KpiReadStore {
  private constructor(
    private readonly db: SqlDatabase,
    private readonly schema: string,
  ) {}

  /** Creates the schema's tables when missing. `schema` names the model version (`kpi_v1`). */
  static async open(db: SqlDatabase, schema = 'kpi_v1'): Promise<SqlKpiReadStore> {
    await createModelSchema(db, schema, readFileSync(join(__dirname, 'sql', '0001_kpi.sql'), 'utf8'), 7431002);
    return new SqlKpiReadStore(db, schema);
  }

  private t(table: string): string {
    return `${this.schema}.${table}`;
  }

  async checkpoint(client: SqlClient = this.db, lock = false): Promise<Checkpoint | undefined> {
    return storedCheckpoint(client, this.t('checkpoint'), lock);
  }

  async applyBatch(deltas: KpiDeltas, checkpoint: Checkpoint): Promise<boolean> {
    return applyCheckpointedBatch(this.db, (table) => this.t(table), checkpoint, deltas, async (tx) => {
      await this.applyRefs(tx, deltas);
      await this.applyCounts(tx, deltas);
    });
  }

  /**
   * Refcounts, then the distinct counts they move: +1 when a subject's refcount leaves 0, −1 when it
   * returns. One upsert; its RETURNING gives each row's refcount after (and, through `last_delta`,
   * before) the batch, so the crossings cost no second look-up. The projector merged the batch, so a
   * key occurs once; the placement of each figure the refs move is passed once, latest day first.
   */
  private async applyRefs(tx: SqlClient, { refs }: KpiDeltas): Promise<void> {
    if (refs.length === 0) return;
    const col = <T>(pick: (r: (typeof refs)[number]) => T) => refs.map(pick);
    const placed = latestPlacements(refs);
    const pcol = <T>(pick: (r: (typeof placed)[number]) => T) => placed.map(pick);
    const refsTable = this.t('subject_refs');
    await tx.query(
      `with upserted as (
         insert into ${refsTable} (view, level, unit_key, period_kind, period_key, indicator, subject, refcount, last_delta)
         select i.*, i.delta from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[])
           as i(view, level, unit_key, period_kind, period_key, indicator, subject, delta)
         on conflict (view, level, unit_key, period_kind, period_key, indicator, subject)
         do update set refcount = ${refsTable}.refcount + excluded.refcount, last_delta = excluded.last_delta
         returning view, level, unit_key, period_kind, period_key, indicator, refcount, refcount - last_delta as old
       ),
       moved as (
         select view, level, unit_key, period_kind, period_key, indicator, sum((refcount > 0)::int - (old > 0)::int) as delta
           from upserted
          group by view, level, unit_key, period_kind, period_key, indicator
       ),
       crossings as (
         select m.*, p.village, p.commune, p.district, p.province, p.placed_on
           from moved m
           join unnest($9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[])
             as p(view, level, unit_key, period_kind, period_key, indicator, village, commune, district, province, placed_on)
             on p.view = m.view and p.level = m.level and p.unit_key = m.unit_key and p.period_kind = m.period_kind
            and p.period_key = m.period_key and p.indicator = m.indicator
       )
       ${this.upsertFigures('crossings')}`,
      [
        col((r) => r.view), col((r) => r.level), col((r) => r.unitKey), col((r) => r.periodKind), col((r) => r.periodKey),
        col((r) => r.indicator), col((r) => r.subject), col((r) => r.delta),
        pcol((r) => r.view), pcol((r) => r.level), pcol((r) => r.unitKey), pcol((r) => r.periodKind), pcol((r) => r.periodKey), pcol((r) => r.indicator),
        pcol((r) => r.placement.village ?? null), pcol((r) => r.placement.commune ?? null), pcol((r) => r.placement.district ?? null),
        pcol((r) => r.placement.province ?? null), pcol((r) => r.placedOn),
      ],
    );
  }

  private async applyCounts(tx: SqlClient, { counts }: KpiDeltas): Promise<void> {
    if (counts.length === 0) return;
    const col = <T>(pick: (r: (typeof counts)[number]) => T) => counts.map(pick);
    await tx.query(
      `with input as (
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                              $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
           as i(view, level, unit_key, period_kind, period_key, indicator, delta, village, commune, district, province, placed_on)
       )
       ${this.upsertFigures('input')}`,
      [
        col((r) => r.view), col((r) => r.level), col((r) => r.unitKey), col((r) => r.periodKind), col((r) => r.periodKey),
        col((r) => r.indicator), col((r) => r.delta),
        col((r) => r.placement.village ?? null), col((r) => r.placement.commune ?? null), col((r) => r.placement.district ?? null),
        col((r) => r.placement.province ?? null), col((r) => r.placedOn),
      ],
    );
  }

  /** value += delta; the placement resolved for the latest day wins (order-independent, like the reference model). */
  private upsertFigures(source: string): string {
    const figures = this.t('figures');
    const later = `excluded.placed_on >= ${figures}.placed_on`;
    return `insert into ${figures} (view, level, unit_key, period_kind, period_key, indicator, value, village, commune, district, province, placed_on)
      select view, level, unit_key, period_kind, period_key, indicator, delta, village, commune, district, province, placed_on from ${source}
      on conflict (view, level, unit_key, period_kind, period_key, indicator) do update set
        value     = ${figures}.value + excluded.value,
        village   = case when ${later} then excluded.village  else ${figures}.village  end,
        commune   = case when ${later} then excluded.commune  else ${figures}.commune  end,
        district  = case when ${later} then excluded.district else ${figures}.district end,
        province  = case when ${later} then excluded.province else ${figures}.province end,
        placed_on = greatest(${figures}.placed_on, excluded.placed_on)`;
  }


  async appliedAmong(eventIds: readonly string[]): Promise<Set<string>> {
    return appliedAmong(this.db, this.t('applied_events'), eventIds);
  }

  async teams(): Promise<TeamRecord[]> {
    return teamRecords<TeamRecord>(this.db, this.t('teams'));
  }

  async contributionsOf(teamId: string): Promise<TeamContributions> {
    const counts = await this.db.query<{ period_kind: PeriodKind; period_key: string; indicator: string; value: string }>(
      `select period_kind, period_key, indicator, value::text from ${this.t('figures')} where view = 'current' and level = 'team' and unit_key = $1`,
      [teamId],
    );
    const refs = await this.db.query<{ period_kind: PeriodKind; period_key: string; indicator: string; subject: string; refcount: number }>(
      `select period_kind, period_key, indicator, subject, refcount from ${this.t('subject_refs')}
        where view = 'current' and level = 'team' and unit_key = $1 and refcount <> 0`,
      [teamId],
    );
    return {
      counts: counts.rows.map((r) => ({ periodKind: r.period_kind, periodKey: r.period_key, indicator: r.indicator, value: Number(r.value) })),
      refs: refs.rows.map((r) => ({ periodKind: r.period_kind, periodKey: r.period_key, indicator: r.indicator, subject: r.subject, count: r.refcount })),
    };
  }

  async figures(view: View, level: Level, unitKeys: readonly string[], period: string): Promise<UnitFigures[]> {
    const kind = periodKindOf(period);
    const keys = [...unitKeys];
    const values = new Map<string, Record<string, number>>(keys.map((k) => [k, {}]));
    const put = (unitKey: string, indicator: string, value: number) => {
      const record = values.get(unitKey);
      if (record && value !== 0) record[indicator] = value;
    };
    const flows = await this.db.query<{ unit_key: string; indicator: string; value: string }>(
      `select unit_key, indicator, value::text from ${this.t('figures')}
        where view = $1 and level = $2 and unit_key = any($3::text[]) and period_kind = $4 and period_key = $5 and indicator = any($6::text[])`,
      [view, level, keys, kind, period, FLOWS],
    );
    for (const r of flows.rows) put(r.unit_key, r.indicator, Number(r.value));
    const stocks = await this.db.query<{ unit_key: string; indicator: string; value: string }>(
      `select unit_key, indicator, sum(value)::text as value from ${this.t('figures')}
        where view = $1 and level = $2 and unit_key = any($3::text[]) and period_kind = $4 and period_key <= $5 and indicator = any($6::text[])
        group by unit_key, indicator`,
      [view, level, keys, kind, period, STOCKS],
    );
    for (const r of stocks.rows) put(r.unit_key, r.indicator, Number(r.value));
    for (const covered of COVERED) {
      if (LEVEL_RANK[covered.childLevel] > LEVEL_RANK[level]) continue;
      const parent = level === 'nation' ? `'VN'` : level === covered.childLevel ? 'unit_key' : ANCESTOR_COLUMN[level];
      if (!parent) continue;
      const under = level === 'nation' ? '$3::text[] is not null' : `${parent} = any($3::text[])`;
      const sql =
        covered.when === 'active'
          ? `select ${parent} as parent, count(distinct unit_key)::text as value from ${this.t('figures')}
              where view = $1 and level = $2 and period_kind = $4 and period_key = $5 and indicator = 'active-teams' and value > 0 and ${under}
              group by 1`
          : `select parent, count(*)::text as value from (
               select ${parent} as parent, unit_key from ${this.t('figures')}
                where view = $1 and level = $2 and period_kind = $4 and period_key <= $5 and indicator = 'teams-registered' and ${under}
                group by 1, unit_key having sum(value) > 0) registered
              group by parent`;
      const { rows } = await this.db.query<{ parent: string; value: string }>(sql, [view, covered.childLevel, keys, kind, period]);
      for (const r of rows) put(r.parent, covered.code, Number(r.value));
    }
    const targets = await this.db.query<{ unit_key: string; indicator: string; value: number }>(
      `select unit_key, indicator, value from ${this.t('targets')} where unit_key = any($1::text[]) and period = $2`,
      [keys, period],
    );
    const targetsOf = new Map<string, Record<string, number>>(keys.map((k) => [k, {}]));
    for (const r of targets.rows) {
      const record = targetsOf.get(r.unit_key);
      if (record) record[r.indicator] = Number(r.value);
    }
    return keys.map((unitKey) => ({ unitKey, values: values.get(unitKey) ?? {}, targets: targetsOf.get(unitKey) ?? {} }));
  }

  async children(view: View, level: Level, unitKey: string, childLevel: Level, period: string): Promise<string[]> {
    const kind = periodKindOf(period);
    const column = ANCESTOR_COLUMN[level];
    const under = level === 'nation' ? '$5::text is not null' : level === childLevel ? 'unit_key = $5' : column ? `${column} = $5` : '$5::text is null';
    const { rows } = await this.db.query<{ unit_key: string }>(
      `select distinct unit_key from ${this.t('figures')} where view = $1 and level = $2 and period_kind = $3 and period_key <= $4 and ${under}`,
      [view, childLevel, kind, period, unitKey],
    );
    return rows.map((r) => r.unit_key).sort(byCodeUnits);
  }

  /**
   * One statement, one row per unit: the flows of each period (`=`), the stocks summed up to it (`<=`),
   * zeros dropped, and the targets of the units that remain, each unit's as one JSON array of
   * (period, indicator, value) positions, so Node reads ~75,000 short rows for a nationwide run of teams
   * instead of ~2 M, and makes no object per value. The parent is found through the rows' ancestor
   * columns (figures_by_province / _by_district / _by_commune).
   */
  async figuresUnder(query: FiguresUnderQuery): Promise<FiguresUnder> {
    const plan = planFiguresUnder(query);
    const answer = emptyFiguresUnder(plan);
    const { level: parentLevel, unitKey: parentKey } = query.under;
    const column = ANCESTOR_COLUMN[parentLevel];
    const under =
      parentLevel === 'nation' ? '$7::text is not null' : parentLevel === query.level ? 'f.unit_key = $7' : column && LEVEL_RANK[parentLevel] > LEVEL_RANK[query.level] ? `f.${column} = $7` : '$7::text is null';
    const figures = this.t('figures');
    // Units are grouped (sorted) by their keys in the "C" collation: bytewise, the same groups as the
    // database's own deterministic collation, without its strcoll (~10 % of the statement's CPU on the
    // bench); the targets' probe compares in the column's own collation, so it keeps its index.
    // Each value is written as its cell index and value, two numbers instead of three.
    const { rows } = await this.db.query<{ unit_key: string; figures: string; targets: string | null }>(
      `with q as (select * from unnest($3::text[], $4::text[]) with ordinality as q(period_kind, period_key, p)),
       codes as (select * from unnest($9::text[]) with ordinality as codes(code, i)),
       nonzero as (
         select * from (
           select f.unit_key collate "C" as unit_key, q.p, f.indicator collate "C" as indicator, f.value
             from q join ${figures} f on f.view = $1 and f.level = $2 and f.period_kind = q.period_kind and f.period_key = q.period_key
            where f.indicator = any($5::text[]) and ${under}
           union all
           -- bigint, like a flow's value (cheaper to compare and print than numeric); a sum past its range fails loudly.
           select f.unit_key collate "C" as unit_key, q.p, f.indicator collate "C" as indicator, sum(f.value)::bigint
             from q join ${figures} f on f.view = $1 and f.level = $2 and f.period_kind = q.period_kind and f.period_key <= q.period_key
            where f.indicator = any($6::text[]) and ${under}
            group by 1, 2, 3
         ) v where value <> 0
       )
       select n.unit_key,
              '[' || string_agg(((n.p - 1) * cardinality($9::text[]) + codes.i - 1) || ',' || n.value, ',') || ']' as figures,
              (select '[' || string_agg(((q.p - 1) * cardinality($8::text[]) + tc.i - 1) || ',' || to_json(t.value), ',') || ']'
                 from ${this.t('targets')} t
                 join q on q.period_key = t.period
                 join unnest($8::text[]) with ordinality as tc(code, i) on tc.code = t.indicator
                where t.unit_key = n.unit_key collate "default" and t.indicator = any($8::text[]) and t.period = any($4::text[])) as targets
         from nonzero n join codes on codes.code = n.indicator
        group by n.unit_key`,
      [query.view, query.level, plan.periods.map((p) => p.kind), answer.periods, plan.flows, plan.stocks, parentKey, answer.targetIndicators, answer.indicators],
    );
    for (const row of rows) {
      const unit = blankUnit(answer, row.unit_key);
      fillCells(row.figures, unit.values);
      fillCells(row.targets, unit.targets);
      answer.units.push(unit);
    }
    return answer;
  }

  async health(): Promise<void> {
    await this.db.query(`select 1 from ${this.t('checkpoint')} limit 1`);
  }

  /** `read` over this schema in one REPEATABLE READ transaction, with the checkpoint read in it (readSnapshot). */
  snapshot<T>(read: (store: KpiQueryStore) => Promise<T>): Promise<KpiSnapshot<T>> {
    return readSnapshot(this.db, async (view) => {
      const store = new SqlKpiReadStore(view, this.schema);
      const checkpoint = await store.checkpoint();
      return { result: await read(store), checkpoint };
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
