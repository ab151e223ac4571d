import { PERIOD_KINDS, parsePeriod, type PeriodKind } from '@cdt/domain-shared';
import { INDICATORS } from './catalog';
import { figureKeyOf, figureKeyString, laterPlaced, refKeyString, type FigureKey, type KpiDeltas, type Placed, type TeamRecord } from './deltas';
import type { UnitFigures } from './figures';
import type { ProjectorState, TeamContributions } from './projector';
import type { Level, Placement, View } from './units';

/**
 * The reference read model: plain maps, the semantics every store must reproduce. Tests use it as the
 * oracle; the SQL and MongoDB stores are checked against it by the read-store contract suite.
 */

export interface FigureRow extends FigureKey, Placed {
  value: number;
}

export interface RefRow extends FigureKey {
  subject: string;
  count: number;
}

export interface InMemoryReadModel {
  readonly counts: Map<string, FigureRow>;
  readonly refs: Map<string, RefRow>;
  /** `${unitKey}|${indicator}|${period}` → value */
  readonly targets: Map<string, number>;
  readonly teams: Map<string, TeamRecord>;
  readonly applied: Set<string>;
}

export const emptyReadModel = (): InMemoryReadModel => ({
  counts: new Map(),
  refs: new Map(),
  targets: new Map(),
  teams: new Map(),
  applied: new Set(),
});

/**
 * A read model holding only figure rows (and targets): how a store that builds rows for a question (KPI
 * model 2, ADR 0010) answers it with this module's `figuresOf` / `childrenOf`, so the arithmetic stays here.
 */
export const readModelOfRows = (rows: Iterable<FigureRow>, targets: Map<string, number> = new Map()): InMemoryReadModel => {
  const counts = new Map<string, FigureRow>();
  for (const row of rows) counts.set(figureKeyString(row), row);
  return { counts, refs: new Map(), targets, teams: new Map(), applied: new Set() };
};

const addToRow = (model: InMemoryReadModel, key: FigureKey, delta: number, placed: Placed): void => {
  const id = figureKeyString(key);
  const row = model.counts.get(id);
  const { placement, placedOn } = laterPlaced(row, placed);
  model.counts.set(id, {
    ...figureKeyOf(key),
    value: (row?.value ?? 0) + delta,
    placement,
    placedOn,
  });
};

/** Applies a batch: refcounts (moving distinct counts on 0 ↔ positive) and counts; order does not matter. */
export const applyDeltas = (model: InMemoryReadModel, deltas: KpiDeltas): void => {
  for (const ref of deltas.refs) {
    const id = refKeyString(ref);
    const before = model.refs.get(id)?.count ?? 0;
    const after = before + ref.delta;
    if (after === 0) model.refs.delete(id);
    else model.refs.set(id, { ...stripDelta(ref), count: after });
    addToRow(model, ref, Number(after > 0) - Number(before > 0), ref);
  }
  for (const count of deltas.counts) addToRow(model, count, count.delta, count);
  for (const target of deltas.targets) model.targets.set(targetKey(target.unitKey, target.indicator, target.period), target.value);
  for (const team of deltas.teams) model.teams.set(team.teamId, team);
  for (const eventId of deltas.appliedEventIds) model.applied.add(eventId);
};

const stripDelta = <T extends { delta: number } & Placed>({ delta: _d, placement: _p, placedOn: _o, ...rest }: T) => rest;

const targetKey = (unitKey: string, indicator: string, period: string): string => `${unitKey}|${indicator}|${period}`;

/** What the projector needs from the model before a batch. */
export const projectorStateOf = (model: InMemoryReadModel): ProjectorState => ({
  teams: Object.fromEntries(model.teams),
});

export const contributionsOf = (model: InMemoryReadModel, teamId: string): TeamContributions => ({
  counts: [...model.counts.values()]
    .filter((row) => row.view === 'current' && row.level === 'team' && row.unitKey === teamId)
    .map(({ periodKind, periodKey, indicator, value }) => ({ periodKind, periodKey, indicator, value })),
  refs: [...model.refs.values()]
    .filter((row) => row.view === 'current' && row.level === 'team' && row.unitKey === teamId)
    .map(({ periodKind, periodKey, indicator, subject, count }) => ({ periodKind, periodKey, indicator, subject, count })),
});

// ── queries ─────────────────────────────────────────────────────────────────────────────────────────
const STOCKS = INDICATORS.filter((i) => i.definition.kind === 'stock').map((i) => i.code);
const FLOWS = INDICATORS.filter((i) => i.definition.kind === 'count' || i.definition.kind === 'distinct').map((i) => i.code);
const COVERED = INDICATORS.flatMap((i) => (i.definition.kind === 'covered' ? [{ code: i.code, ...i.definition }] : []));

const PLACEMENT_FIELD: Partial<Record<Level, keyof Placement>> = {
  village: 'village',
  commune: 'commune',
  district: 'district',
  province: 'province',
};

/** Whether a row at `childLevel` lies under (level, unitKey): a unit is under itself. */
export const isUnder = (row: { level: Level; unitKey: string; placement: Placement }, level: Level, unitKey: string): boolean => {
  if (level === 'nation') return true;
  if (row.level === level) return row.unitKey === unitKey;
  const field = PLACEMENT_FIELD[level];
  return field !== undefined && row.placement[field] === unitKey;
};

export const requirePeriodKind = (period: string): PeriodKind => {
  const kind = parsePeriod(period)?.kind;
  if (!kind || !PERIOD_KINDS.includes(kind)) throw new Error(`${period} is not a period key`);
  return kind;
};

/** The stored figures of units at one level for one period (ratios and attainment are derived from these). */
export const figuresOf = (model: InMemoryReadModel, view: View, level: Level, unitKeys: readonly string[], period: string): UnitFigures[] => {
  const periodKind = requirePeriodKind(period);
  const rows = [...model.counts.values()].filter((row) => row.view === view && row.periodKind === periodKind);
  const stockAt = (rowLevel: Level, unitKey: string, indicator: string): number =>
    rows
      .filter((row) => row.level === rowLevel && row.unitKey === unitKey && row.indicator === indicator && row.periodKey <= period)
      .reduce((sum, row) => sum + row.value, 0);
  return unitKeys.map((unitKey) => {
    const values: Record<string, number> = {};
    for (const row of rows) {
      if (row.level === level && row.unitKey === unitKey && row.periodKey === period && FLOWS.includes(row.indicator) && row.value !== 0) {
        values[row.indicator] = row.value;
      }
    }
    for (const code of STOCKS) {
      const value = stockAt(level, unitKey, code);
      if (value !== 0) values[code] = value;
    }
    for (const covered of COVERED) {
      if (LEVEL_RANK[covered.childLevel] > LEVEL_RANK[level]) continue;
      // A child counts by its rows that sit under the unit (a child may sit elsewhere in other periods).
      const under = rows.filter((row) => row.level === covered.childLevel && isUnder(row, level, unitKey));
      const byChild = new Map<string, number>();
      for (const row of under) {
        if (covered.when === 'active' ? row.indicator === 'active-teams' && row.periodKey === period && row.value > 0 : row.indicator === 'teams-registered' && row.periodKey <= period) {
          byChild.set(row.unitKey, (byChild.get(row.unitKey) ?? 0) + row.value);
        }
      }
      const count = [...byChild.values()].filter((value) => value > 0).length;
      if (count !== 0) values[covered.code] = count;
    }
    const targets: Record<string, number> = {};
    for (const indicator of INDICATORS) {
      const target = model.targets.get(targetKey(unitKey, indicator.code, period));
      if (target !== undefined) targets[indicator.code] = target;
    }
    return { unitKey, values, targets };
  });
};

/** Units at `childLevel` under (level, unitKey) that have any figure in the period's kind up to its end. */
export const childrenOf = (model: InMemoryReadModel, view: View, level: Level, unitKey: string, childLevel: Level, period: string): string[] => {
  const periodKind = requirePeriodKind(period);
  const keys = new Set<string>();
  for (const row of model.counts.values()) {
    if (row.view === view && row.level === childLevel && row.periodKind === periodKind && row.periodKey <= period && isUnder(row, level, unitKey)) {
      keys.add(row.unitKey);
    }
  }
  return [...keys].sort();
};

export const LEVEL_RANK: Record<Level, number> = { team: 0, village: 1, commune: 2, district: 3, province: 4, nation: 5 };
