import type { Checkpoint } from '@cdt/event-store';
import {
  INDICATORS,
  LEVEL_RANK,
  STORED_INDICATOR_CODES,
  cellVector,
  childrenOf,
  readModelOfRows,
  figuresOf,
  requirePeriodKind,
  type Fact,
  type FigureRow,
  type InMemoryReadModel,
  type Level,
  type Model2Deltas,
  type Model2Team,
  type Placement,
  type StockFact,
  type TeamHistory,
  type UnitFigures,
  type View,
  type WideCellDelta,
  TEAM_FINE_KINDS,
  TEAM_KINDS_FROM_MONTHS,
} from '@cdt/domain-kpi';
import { parsePeriod, type PeriodKind } from '@cdt/domain-shared';
import { Params, checkpointUpsert, createModelSchema, storedCheckpoint, targetsUpsert, teamRecords, teamsUpsert } from '../sql-shared-tables';
import { readSnapshot, type SqlClient, type SqlDatabase } from '../sql-database';
import type { KpiQueryStore, KpiSnapshot } from '../read-store.port';
import { figuresUnderOfRows, planFiguresUnder, targetsIn, type FiguresUnder, type FiguresUnderQuery, type RowsForPeriods } from '../figures-under';
import type { KpiModel2Store } from './kpi-model2-store.port';
import { cellsUnder, model2RowsSql, type RowsScope } from './model2-rows';
import { MODEL2_SCHEMA_SQL } from './model2-schema';
import { isTeamFiguresUnder, teamFiguresUnder } from './team-figures-under';

const STOCKS = INDICATORS.filter((i) => i.definition.kind === 'stock').map((i) => i.code);
const COVERED = INDICATORS.flatMap((i) => (i.definition.kind === 'covered' ? [i.definition] : []));
/** What coverage reads of a child: `active-teams` in the period (when: active), `teams-registered` up to its end (when: registered). */
const ACTIVE_TEAMS = 'active-teams';
const TEAMS_REGISTERED = 'teams-registered';
/**
 * Team cells are stored by month (summed for quarter and year); village cells and team × day and week are
 * computed from facts (cells.ts, materialisedKinds, TEAM_FINE_KINDS).
 */
const isMaterialised = (level: Level, kind: PeriodKind): boolean => level !== 'village' && !(level === 'team' && TEAM_FINE_KINDS.has(kind));
/**
 * a + b element-wise over the stored vectors, spelled out (array[a[1] + b[1], …]): no set-returning
 * function or aggregate per updated row. A vector stored before the catalog grew reads its new slots as 0.
 */
const ADD_VECTORS = (a: string, b: string): string =>
  `array[${STORED_INDICATOR_CODES.map((_, i) => `coalesce(${a}[${i + 1}], 0) + coalesce(${b}[${i + 1}], 0)`).join(', ')}]::int8[]`;

interface RowRecord {
  level: Level;
  unit_key: string;
  period_key: string;
  indicator: string;
  value: number;
  village: string | null;
  commune: string | null;
  district: string | null;
  province: string | null;
}

const placementOf = (row: RowRecord): Placement =>
  Object.fromEntries((['village', 'commune', 'district', 'province'] as const).flatMap((field) => (row[field] === null ? [] : [[field, row[field]]]))) as Placement;

/**
 * A batch's facts and cells as statement parameters: one text per column, each value after a record
 * separator (the column splits into ['', v1, v2, …] and `[2:]` drops the empty head, also for one row with
 * an empty value), a fact's subjects and their indicators after a unit separator, its count codes after
 * commas. Cheaper than text[] parameters on both sides (measured 2026-11-26): the driver quotes and escapes
 * every element of an array and PostgreSQL parses them back; string_to_array only splits. Absent places are
 * empty (NULL in SQL). The two separators are control characters that no free-text value of the batch holds
 * (team ids, activity ids, villages, subjects; the rest are codes and days), chosen per batch and sent with it.
 */
interface Encoded {
  readonly columns: readonly string[];
  readonly rs: string;
  readonly us: string;
}
interface EncodedBatch {
  readonly facts?: Encoded;
  readonly cells?: Encoded;
  readonly applied?: Encoded;
}
const SEPARATORS: readonly (readonly [number, number])[] = [[0x1e, 0x1f], [0x1c, 0x1d], [0x1a, 0x1b], [0x01, 0x02], [0x03, 0x04]];
// Control characters are what this regular expression is for.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0001-\u001f]/;
/** The mask with a bit set for each control character (0x01–0x1f) of `value`. */
const controlsOf = (value: string, mask: number): number => {
  if (!CONTROL.test(value)) return mask;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 32) mask |= 1 << c;
  }
  return mask;
};
const separatorsFor = (mask: number): { rs: string; us: string } => {
  const pair = SEPARATORS.find(([rs, us]) => (mask & ((1 << rs) | (1 << us))) === 0);
  if (!pair) throw new Error('no separator characters left: the batch\'s values hold all of them');
  return { rs: String.fromCharCode(pair[0]), us: String.fromCharCode(pair[1]) };
};

/**
 * A fact both written and deleted by one batch (retracted after being written again) is not written: one
 * statement cannot touch a row twice, and the delete wins, as the in-memory model's does.
 */
const factsToWrite = (deltas: Model2Deltas): readonly Fact[] => {
  if (deltas.factIdsDeleted.length === 0) return deltas.factsInserted;
  const deleted = new Set(deltas.factIdsDeleted);
  return deltas.factsInserted.filter((fact) => !deleted.has(fact.activityId));
};

const encodeBatch = (deltas: Model2Deltas): EncodedBatch => {
  const facts = factsToWrite(deltas);
  return {
    ...(facts.length > 0 ? { facts: encodeFacts(facts) } : {}),
    ...(deltas.cells.length > 0 ? { cells: encodeCells(deltas.cells) } : {}),
    ...(deltas.appliedEventIds.length > 0 ? { applied: encodeIds(deltas.appliedEventIds) } : {}),
  };
};

const encodeIds = (ids: readonly string[]): Encoded => {
  let mask = 0;
  for (const id of ids) mask = controlsOf(id, mask);
  const { rs, us } = separatorsFor(mask);
  return { columns: [rs + ids.join(rs)], rs, us };
};

const encodeFacts = (facts: readonly Fact[]): Encoded => {
  let mask = 0;
  for (const f of facts) {
    mask = controlsOf(f.village, controlsOf(f.teamId, controlsOf(f.activityId, mask)));
    for (const code in f.subjects) for (const subject of f.subjects[code]) mask = controlsOf(subject, mask);
  }
  const { rs, us } = separatorsFor(mask);
  const columns = columnsOf(10, facts.length);
  const [ids, teams, communes, villages, districts, provinces, days, counts, codes, subjects] = columns;
  for (let i = 0; i < facts.length; i++) {
    const f = facts[i];
    const at = i + 1;
    ids[at] = f.activityId;
    teams[at] = f.teamId;
    communes[at] = f.communeCode;
    villages[at] = f.village;
    districts[at] = f.districtCode ?? '';
    provinces[at] = f.provinceCode ?? '';
    days[at] = f.day;
    counts[at] = f.counts.length === 1 ? f.counts[0] : f.counts.join(',');
    let factCodes = '';
    let factSubjects = '';
    let first = true;
    for (const code in f.subjects) {
      for (const subject of f.subjects[code]) {
        factCodes += first ? code : us + code;
        factSubjects += first ? subject : us + subject;
        first = false;
      }
    }
    codes[at] = factCodes;
    subjects[at] = factSubjects;
  }
  return { columns: columns.map((column) => column.join(rs)), rs, us };
};

const encodeCells = (cells: readonly WideCellDelta[]): Encoded => {
  let mask = 0;
  for (const c of cells) mask = controlsOf(c.unitKey, c.placement.village === undefined ? mask : controlsOf(c.placement.village, mask));
  const { rs, us } = separatorsFor(mask);
  const columns = columnsOf(11, cells.length);
  const [views, levels, unitKeys, kinds, keys, vectors, villages, communes, districts, provinces, placedOn] = columns;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    const at = i + 1;
    views[at] = c.view;
    levels[at] = c.level;
    unitKeys[at] = c.unitKey;
    kinds[at] = c.periodKind;
    keys[at] = c.periodKey;
    vectors[at] = cellVector(c).join(',');
    villages[at] = c.placement.village ?? '';
    communes[at] = c.placement.commune ?? '';
    districts[at] = c.placement.district ?? '';
    provinces[at] = c.placement.province ?? '';
    placedOn[at] = c.placedOn;
  }
  return { columns: columns.map((column) => column.join(rs)), rs, us };
};

/** `count` columns of `rows` values each, after the empty head every column starts with. */
const columnsOf = (count: number, rows: number): string[][] =>
  Array.from({ length: count }, () => {
    const column = new Array<string>(rows + 1);
    column[0] = '';
    return column;
  });

/** The SQL of each column of `encoded` as a text[], its texts and record separator added to `params`; `nullable` columns read empty as NULL. */
const columnArrays = (encoded: Encoded, nullable: readonly number[], params: Params): string[] => {
  const columns = encoded.columns.map((column) => params.add(column));
  const rs = params.add(encoded.rs);
  return columns.map((column, i) => `(string_to_array(${column}, ${rs}${nullable.includes(i) ? `, ''` : ''}))[2:]`);
};

/**
 * KPI model 2 (ADR 0010) on PostgreSQL or PGlite (same SQL): facts, stock facts, wide cells,
 * targets, teams and applied ids, written per batch with the checkpoint in one transaction, each table by
 * one set-based statement. Answers the projector's reads as at the checkpoint, and model 1's queries
 * (`figures`, `children`) with the answers of `figuresOfModel2` / `childrenOfModel2`.
 */
export class SqlKpiModel2Store implements KpiModel2Store {
  /** Parameters encoded by `prepare`, taken by `applyBatch` for the same deltas. */
  private readonly encoded = new WeakMap<Model2Deltas, EncodedBatch>();
  /** Resolves when the last applyBatch's statement has been sent (or the write ended). */
  private sent: Promise<void> = Promise.resolve();

  private constructor(
    private readonly db: SqlDatabase,
    private readonly schema: string,
  ) {}

  /** Creates the schema's tables when missing (`kpi2_v1` by default). */
  static async open(db: SqlDatabase, schema = 'kpi2_v1'): Promise<SqlKpiModel2Store> {
    const { rows } = await db.query<{ facts: string | null; unrecorded: string | null }>(`select to_regclass($1) as facts, to_regclass($2) as unrecorded`, [
      `${schema}.facts`,
      `${schema}.unrecorded_teams`,
    ]);
    await createModelSchema(db, schema, MODEL2_SCHEMA_SQL, 7431010);
    const store = new SqlKpiModel2Store(db, schema);
    // A schema written before unrecorded_teams existed: filled once from its facts (idempotent if two open at once).
    if (rows[0].facts !== null && rows[0].unrecorded === null) {
      await db.query(
        `insert into ${store.t('unrecorded_teams')} (team_id) select distinct f.team_id from ${store.t('facts')} f
          where not exists (select 1 from ${store.t('teams')} k where k.team_id = f.team_id) on conflict do nothing`,
      );
    }
    return store;
  }

  private t(table: string): string {
    return `${this.schema}.${table}`;
  }

  async checkpoint(client: SqlClient = this.db, lock = false): Promise<Checkpoint | undefined> {
    return storedCheckpoint(client, this.t('checkpoint'), lock);
  }

  /**
   * Writes a batch's deltas and its checkpoint together; a checkpoint not past the stored one changes
   * nothing (false). One statement does it all (batchStatement), so PostgreSQL writes the whole batch in
   * one round trip: written statement by statement, each next one waited for Node's event loop, which
   * the pipeline keeps busy projecting the next batch, and the write stalled (2026-11-26: 0.94 s of
   * statements in a 1.38 s write when the projection started at once).
   */
  async applyBatch(deltas: Model2Deltas, checkpoint: Checkpoint): Promise<boolean> {
    // Encoded before the transaction opens (or earlier, by prepare): PostgreSQL then waits for no parameter building inside it.
    const encoded = this.encoded.get(deltas) ?? encodeBatch(deltas);
    this.encoded.delete(deltas);
    const statement = this.batchStatement(deltas, encoded, checkpoint);
    let markSent!: () => void;
    this.sent = new Promise<void>((resolve) => (markSent = resolve));
    const applied = this.db.transaction(async (tx) => {
      // A batch merges hundreds of thousands of rows: let its sorts and hashes stay in memory.
      await tx.query(`set local work_mem = '64MB'`);
      const written = tx.query<{ applied: boolean }>(statement.sql, statement.params);
      void (tx.sent?.() ?? Promise.resolve()).then(markSent);
      const { rows } = await written;
      return rows[0].applied;
    });
    void applied.finally(markSent).catch(() => undefined);
    return applied;
  }

  /**
   * The last write's statement has left Node (whenSent in the port). Measured 2026-11-26: with the next
   * batch projected as soon as its events were read, a write waited for the rest of its parameters
   * while Node projected (41 % slower writes, 34,500 against 41,500 events/s, when nothing else made
   * Node wait first).
   */
  whenSent(): Promise<void> {
    return this.sent;
  }

  prepare(deltas: Model2Deltas): void {
    if (!this.encoded.has(deltas)) this.encoded.set(deltas, encodeBatch(deltas));
  }

  /**
   * The batch as one statement: `ok` holds one row when the batch's checkpoint is past the stored one,
   * whose row it locks (FOR UPDATE, re-read after a concurrent writer commits), and every write is a
   * data-modifying CTE that writes only under `ok`. They all see one snapshot and touch disjoint rows:
   * facts written and facts deleted are disjoint (factsToWrite), and each table is written by one CTE.
   */
  private batchStatement(deltas: Model2Deltas, encoded: EncodedBatch, checkpoint: Checkpoint): { sql: string; params: unknown[] } {
    const params = new Params();
    const transactionId = params.add(checkpoint.transactionId);
    const globalPosition = params.add(checkpoint.globalPosition);
    const go = `exists (select from ok)`;
    const writes: string[] = [];
    if (encoded.facts) {
      writes.push(`${this.factsWrite(encoded.facts, params, go)} returning team_id`);
      // The facts' teams without a record before this batch (a superset: one established in it is kept too).
      writes.push(`insert into ${this.t('unrecorded_teams')} (team_id)
         select distinct w.team_id from w${writes.length - 1} w where not exists (select 1 from ${this.t('teams')} k where k.team_id = w.team_id)
         on conflict do nothing`);
    }
    if (deltas.factIdsDeleted.length > 0) writes.push(`delete from ${this.t('facts')} where activity_id = any(${params.add(deltas.factIdsDeleted)}::text[]) and ${go}`);
    if (deltas.stockFacts.length > 0) writes.push(this.stockFactsWrite(deltas.stockFacts, params, go));
    if (encoded.cells) writes.push(this.cellsWrite(encoded.cells, params, go));
    if (deltas.targets.length > 0) writes.push(targetsUpsert(this.t('targets'), deltas.targets, params, go));
    if (deltas.teams.length > 0) writes.push(teamsUpsert(this.t('teams'), deltas.teams, params, go));
    if (encoded.applied) {
      const [ids] = columnArrays(encoded.applied, [], params);
      writes.push(`insert into ${this.t('applied_events')} (event_id) select unnest(${ids}) where ${go}`);
    }
    writes.push(checkpointUpsert(this.t('checkpoint'), checkpoint, params, 'from ok'));
    const sql = `with stored as (select transaction_id, global_position from ${this.t('checkpoint')} for update),
      ok as (select where not exists (select from stored where (transaction_id, global_position) >= (${transactionId}::numeric, ${globalPosition}::bigint))),
      ${writes.map((write, i) => `w${i} as (${write})`).join(',\n      ')}
      select ${go} as applied`;
    return { sql, params: params.values };
  }

  /**
   * In batch order, so `seq` follows it (a fact written again keeps its first place, as a Map entry does).
   * COPY of the new facts on PostgreSQL was measured no faster (2026-11-26: 3.3 s of COPY + 0.7 s to find
   * the stored ones, against 4.4 s for this statement, per 280,000 events): the rows and their indexes
   * cost the time, not the parameters.
   */
  private factsWrite(encoded: Encoded, params: Params, go: string): string {
    const [activityIds, teamIds, communes, villages, districts, provinces, days, counts, codes, subjects] = columnArrays(encoded, [4, 5], params);
    const us = params.add(encoded.us);
    return `insert into ${this.t('facts')} (activity_id, team_id, commune_code, village, district_code, province_code, day, counts, subject_codes, subjects)
       select i.activity_id, i.team_id, i.commune_code, i.village, i.district_code, i.province_code, i.day,
              string_to_array(i.counts, ','), string_to_array(i.codes, ${us}), string_to_array(i.subjects, ${us})
         from unnest(${activityIds}, ${teamIds}, ${communes}, ${villages}, ${districts}, ${provinces}, ${days}, ${counts}, ${codes}, ${subjects}) with ordinality
           as i(activity_id, team_id, commune_code, village, district_code, province_code, day, counts, codes, subjects, n)
        where ${go}
        order by i.n
       on conflict (activity_id) do update set team_id = excluded.team_id, commune_code = excluded.commune_code, village = excluded.village,
         district_code = excluded.district_code, province_code = excluded.province_code, day = excluded.day, counts = excluded.counts,
         subject_codes = excluded.subject_codes, subjects = excluded.subjects`;
  }

  private stockFactsWrite(stocks: readonly StockFact[], params: Params, go: string): string {
    const col = (pick: (s: StockFact) => unknown, type: string) => `${params.add(stocks.map(pick))}::${type}[]`;
    return `insert into ${this.t('stock_facts')} (event_id, team_id, commune_code, village, district_code, province_code, day, indicator, delta, scope)
       select i.event_id, i.team_id, i.commune_code, i.village, i.district_code, i.province_code, i.day, i.indicator, i.delta, i.scope
         from unnest(${col((s) => s.eventId, 'text')}, ${col((s) => s.teamId, 'text')}, ${col((s) => s.communeCode, 'text')}, ${col((s) => s.village, 'text')},
                     ${col((s) => s.districtCode ?? null, 'text')}, ${col((s) => s.provinceCode ?? null, 'text')}, ${col((s) => s.day, 'text')},
                     ${col((s) => s.indicator, 'text')}, ${col((s) => s.delta, 'int')}, ${col((s) => s.scope, 'text')}) with ordinality
           as i(event_id, team_id, commune_code, village, district_code, province_code, day, indicator, delta, scope, n)
        where ${go}
        order by i.n`;
  }

  /** v += delta element-wise; the placement resolved for the latest day wins (ties: this batch). */
  private cellsWrite(encoded: Encoded, params: Params, go: string): string {
    const [view, level, unitKey, periodKind, periodKey, v, village, commune, district, province, placedOn] = columnArrays(encoded, [6, 7, 8, 9], params);
    const table = this.t('cells');
    const later = `excluded.placed_on >= ${table}.placed_on`;
    return `insert into ${table} (view, level, unit_key, period_kind, period_key, v, village, commune, district, province, placed_on)
       select view, level, unit_key, period_kind, period_key, string_to_array(v, ',')::int8[], village, commune, district, province, placed_on
         from unnest(${view}, ${level}, ${unitKey}, ${periodKind}, ${periodKey}, ${v}, ${village}, ${commune}, ${district}, ${province}, ${placedOn})
           as i(view, level, unit_key, period_kind, period_key, v, village, commune, district, province, placed_on)
        where ${go}
       on conflict (view, level, unit_key, period_kind, period_key) do update set
         v         = ${ADD_VECTORS(`${table}.v`, 'excluded.v')},
         village   = case when ${later} then excluded.village  else ${table}.village  end,
         commune   = case when ${later} then excluded.commune  else ${table}.commune  end,
         district  = case when ${later} then excluded.district else ${table}.district end,
         province  = case when ${later} then excluded.province else ${table}.province end,
         placed_on = greatest(${table}.placed_on, excluded.placed_on)`;
  }

  // ── the projector's reads, as at the checkpoint ────────────────────────────────────────────────────
  /**
   * One probe of the hash index per id: `= any(…)` does not use a hash index, and a join let the planner
   * hash the whole table (measured: 5.4 against 0.8 us per id); a lateral subquery with a limit is probed.
   */
  async appliedAmong(eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const params = new Params();
    const [ids] = columnArrays(encodeIds(eventIds), [], params);
    const { rows } = await this.db.query<{ event_id: string }>(
      `select asked.event_id from unnest(${ids}) as asked(event_id)
         cross join lateral (select 1 from ${this.t('applied_events')} a where a.event_id = asked.event_id limit 1) applied`,
      params.values,
    );
    return new Set(rows.map((r) => r.event_id));
  }

  async teams(): Promise<Model2Team[]> {
    return teamRecords<Model2Team>(this.db, this.t('teams'));
  }

  async teamHistory(teamId: string): Promise<TeamHistory> {
    type Located = { team_id: string; commune_code: string; village: string; district_code: string | null; province_code: string | null; day: string };
    const facts = await this.db.query<Located & { activity_id: string; counts: string[]; subject_codes: string[]; subjects: string[] }>(
      `select activity_id, team_id, commune_code, village, district_code, province_code, day, counts, subject_codes, subjects
         from ${this.t('facts')} where team_id = $1 order by seq`,
      [teamId],
    );
    const stocks = await this.db.query<Located & { event_id: string; indicator: string; delta: number; scope: StockFact['scope'] }>(
      `select event_id, team_id, commune_code, village, district_code, province_code, day, indicator, delta, scope
         from ${this.t('stock_facts')} where team_id = $1 order by seq`,
      [teamId],
    );
    const located = (r: Located) => ({
      teamId: r.team_id,
      communeCode: r.commune_code,
      village: r.village,
      ...(r.district_code === null ? {} : { districtCode: r.district_code }),
      ...(r.province_code === null ? {} : { provinceCode: r.province_code }),
      day: r.day,
    });
    return {
      facts: facts.rows.map((r): Fact => {
        const subjects: Record<string, string[]> = {};
        r.subject_codes.forEach((code, i) => (subjects[code] ??= []).push(r.subjects[i]));
        return { activityId: r.activity_id, ...located(r), counts: r.counts, subjects };
      }),
      stocks: stocks.rows.map((r): StockFact => ({ eventId: r.event_id, ...located(r), indicator: r.indicator, delta: r.delta, scope: r.scope })),
    };
  }

  // ── queries: model 1's answers ─────────────────────────────────────────────────────────────────────
  /**
   * The figure rows of one view and period kind up to `period`, at `levels`, that pass `where` (over
   * `rows`, parameters from $9), read from the facts under `scope` ($8: its unit keys), as a model-1
   * read model, so model 1's own query code answers.
   */
  private async rowsAsModel1(
    scope: RowsScope,
    scopeKeys: readonly string[],
    period: string,
    levels: readonly Level[],
    where: string,
    params: unknown[],
    targetKeys: readonly string[],
  ): Promise<InMemoryReadModel> {
    const view = scope.view;
    const kind: PeriodKind = requirePeriodKind(period);
    const { first, last } = parsePeriod(period) as { first: string; last: string };
    // In a transaction only to set, for this statement: memory for its hashes and sorts (count(distinct …) over a
    // period's facts); no JIT (its plan costs over jit_above_cost, and compiling its ~380 expressions took ~270 ms
    // of a 2 s drill-down, 2026-11-26).
    const { rows } = await this.db.transaction(async (tx) => {
      await tx.query(`set local work_mem = '128MB'`);
      await tx.query(`set local jit = off`);
      return tx.query<RowRecord>(
        `${model2RowsSql((table) => this.t(table), scope, TEAM_KINDS_FROM_MONTHS.has(kind))}
         select level, unit_key, period_key, indicator, value::float8 as value, village, commune, district, province from rows where ${where}`,
        [view, kind, period, last, STORED_INDICATOR_CODES, levels, first, scopeKeys, ...params],
      );
    });
    const figureRows = rows.map((r): FigureRow => ({ view, level: r.level, unitKey: r.unit_key, periodKind: kind, periodKey: r.period_key, indicator: r.indicator, value: Number(r.value), placement: placementOf(r), placedOn: '' }));
    const targets = new Map<string, number>();
    if (targetKeys.length > 0) {
      const found = await this.db.query<{ unit_key: string; indicator: string; value: number }>(
        `select unit_key, indicator, value from ${this.t('targets')} where unit_key = any($1::text[]) and period = $2`,
        [targetKeys, period],
      );
      for (const r of found.rows) targets.set(`${r.unit_key}|${r.indicator}|${period}`, Number(r.value));
    }
    return readModelOfRows(figureRows, targets);
  }

  async figures(view: View, level: Level, unitKeys: readonly string[], period: string): Promise<UnitFigures[]> {
    const keys = [...unitKeys];
    const kind = requirePeriodKind(period);
    const covered = COVERED.filter((c) => LEVEL_RANK[c.childLevel] <= LEVEL_RANK[level]);
    const levels = [...new Set<Level>([level, ...covered.map((c) => c.childLevel)])];
    // Distinct figures of the period: all of the unit's own, and active teams of covered children.
    const distinct: RowsScope['distinct'] = [
      ...(isMaterialised(level, kind) ? [{ level }] : []),
      ...covered.filter((c) => c.when === 'active' && c.childLevel !== level && isMaterialised(c.childLevel, kind)).map((c) => ({ level: c.childLevel, codes: [ACTIVE_TEAMS] })),
    ];
    const conditions = [`(level = $10 and unit_key = any($9::text[]) and (period_key = $3 or indicator = any($11::text[])))`];
    const cells = [`(level = $10 and unit_key = any($9::text[]))`];
    for (const c of covered) {
      const wanted = c.when === 'active' ? `indicator = '${ACTIVE_TEAMS}' and period_key = $3` : `indicator = '${TEAMS_REGISTERED}'`;
      const under = cellsUnder(level, c.childLevel, '$9::text[]');
      conditions.push(`(level = '${c.childLevel}' and ${wanted} and ${under})`);
      cells.push(`(level = '${c.childLevel}' and ${under})`);
    }
    const scope: RowsScope = {
      view,
      level,
      reach: 'period',
      fine: levels.some((l) => !isMaterialised(l, kind)),
      distinct,
      // A fine level below the asked one is read only for coverage.
      ...(isMaterialised(level, kind) ? { fineCodes: [ACTIVE_TEAMS, TEAMS_REGISTERED] } : {}),
      cellFilter: cells.join(' or '),
    };
    const model = await this.rowsAsModel1(scope, keys, period, levels, conditions.join(' or '), [keys, level, STOCKS], keys);
    return figuresOf(model, view, level, keys, period);
  }

  async children(view: View, level: Level, unitKey: string, childLevel: Level, period: string): Promise<string[]> {
    const fine = !isMaterialised(childLevel, requirePeriodKind(period));
    // A child at a materialised level shows through its counts; only facts that count nothing can add one.
    const under = cellsUnder(level, childLevel, 'array[$9::text]');
    const scope: RowsScope = { view, level, reach: fine ? 'history' : 'countless', fine, distinct: fine ? [] : [{ level: childLevel }], cellFilter: under };
    const model = await this.rowsAsModel1(scope, [unitKey], period, [childLevel], under, [unitKey], []);
    return childrenOf(model, view, level, unitKey, childLevel, period);
  }

  /**
   * Per period asked, the rows `figures` would read for it (flows of the period, stocks up to its end), at
   * the asked level and under the parent, summed by `figuresUnderOfRows` as the reference does. A unit's
   * distinct counts take all its facts, also those recorded under another parent, so each period is one
   * rows statement over the facts of the units that can be under the parent then (`children`: a cell of
   * the period's kind up to its end placed under it), not of the nation, filtered after. Fine rows (team ×
   * day, village) are placed by their facts, which may lie outside the parent: those periods read the nation.
   */
  async figuresUnder(query: FiguresUnderQuery): Promise<FiguresUnder> {
    // Teams over week → year (scoring's bulk read): from the team cells and the teams' facts, one statement.
    if (isTeamFiguresUnder(query)) return teamFiguresUnder(this.db, (table) => this.t(table), query);
    const { view, level } = query;
    const plan = planFiguresUnder(query);
    const under = cellsUnder(query.under.level, level, 'array[$9::text]');
    const sources: RowsForPeriods[] = [];
    if (plan.indicators.length > 0) {
      for (const { kind, key } of plan.periods) {
        const materialised = isMaterialised(level, kind);
        const units = materialised ? await this.unitsThatMayBeUnder(query, key) : undefined;
        if (units?.length === 0) continue;
        const scope: RowsScope = { view, level: units ? level : 'nation', reach: 'period', fine: !materialised, distinct: materialised ? [{ level }] : [], cellFilter: under };
        const model = await this.rowsAsModel1(scope, units ?? ['VN'], key, [level], under, [query.under.unitKey], []);
        sources.push({ rows: model.counts.values(), periods: [key] });
      }
    }
    const targets = new Map<string, number>();
    if (plan.targetIndicators.length > 0) {
      const found = await this.db.query<{ unit_key: string; indicator: string; period: string; value: number }>(
        `select unit_key, indicator, period, value from ${this.t('targets')} where period = any($1::text[]) and indicator = any($2::text[])`,
        [plan.periods.map((period) => period.key), plan.targetIndicators],
      );
      for (const r of found.rows) targets.set(`${r.unit_key}|${r.indicator}|${r.period}`, Number(r.value));
    }
    return figuresUnderOfRows(query, sources, targetsIn(targets));
  }

  /**
   * Units at the query's level that may be under its parent in `period` (a superset: the rows are filtered
   * after); undefined when that is every unit (the parent is the nation, or not above the level).
   */
  private async unitsThatMayBeUnder(query: FiguresUnderQuery, period: string): Promise<string[] | undefined> {
    if (query.under.level === query.level) return [query.under.unitKey];
    if (query.under.level === 'nation' || LEVEL_RANK[query.under.level] < LEVEL_RANK[query.level]) return undefined;
    return this.children(query.view, query.under.level, query.under.unitKey, query.level, period);
  }

  async health(): Promise<void> {
    await this.db.query(`select 1 from ${this.t('checkpoint')} limit 1`);
  }

  /**
   * `read` over this schema in one REPEATABLE READ transaction, with the checkpoint read in it (readSnapshot):
   * the rows statements' own `transaction` (for `set local work_mem`/`jit`) runs inside it, on its connection.
   */
  snapshot<T>(read: (store: KpiQueryStore) => Promise<T>): Promise<KpiSnapshot<T>> {
    return readSnapshot(this.db, async (view) => {
      const store = new SqlKpiModel2Store(view, this.schema);
      const checkpoint = await store.checkpoint();
      return { result: await read(store), checkpoint };
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
