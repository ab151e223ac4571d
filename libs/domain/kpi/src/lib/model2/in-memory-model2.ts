import { periodKey, type PeriodKind } from '@cdt/domain-shared';
import { KEY_SEPARATOR as SEP, figureKeyString, laterPlaced, type Placed } from '../deltas';
import type { UnitFigures } from '../figures';
import { childrenOf, figuresOf, requirePeriodKind, type FigureRow, type InMemoryReadModel } from '../in-memory-read-model';
import { LEVELS, villageKey, type Level, type Placement, type View } from '../units';
import { cellKeyString } from './cells';
import { distinctFigureRows, factPlace, unitKeyAt, type FactPlace } from './distinct-rows';
import type { CellKey, Fact, Model2Context, Model2Deltas, Model2State, Model2Team, StockFact, TeamHistory } from './types';

/**
 * The reference model-2 store: plain maps holding what a SQL or MongoDB store will hold (facts, stock
 * facts, wide cells, targets, teams, applied ids), and the queries over them with model 1's signatures.
 * Fine cells (team × day, village × any period) are computed from facts when asked, and so are the
 * distinct counts of every cell (distinctFigureRows).
 */

export interface WideCell extends CellKey, Placed {
  readonly values: Readonly<Record<string, number>>;
}

export interface InMemoryModel2 {
  readonly facts: Map<string, Fact>;
  readonly stocks: StockFact[];
  readonly cells: Map<string, WideCell>;
  /** `${unitKey}|${indicator}|${period}` → value, as in model 1. */
  readonly targets: Map<string, number>;
  readonly teams: Map<string, Model2Team>;
  readonly applied: Set<string>;
}

/** Query rows per (view, period kind), built once until the next batch is applied. */
const rowCache = new WeakMap<InMemoryModel2, Map<string, InMemoryReadModel>>();

export const emptyModel2 = (): InMemoryModel2 => ({
  facts: new Map(),
  stocks: [],
  cells: new Map(),
  targets: new Map(),
  teams: new Map(),
  applied: new Set(),
});

export const applyModel2Deltas = (model: InMemoryModel2, deltas: Model2Deltas): void => {
  rowCache.delete(model);
  for (const fact of deltas.factsInserted) model.facts.set(fact.activityId, fact);
  for (const id of deltas.factIdsDeleted) model.facts.delete(id);
  model.stocks.push(...deltas.stockFacts);
  for (const delta of deltas.cells) {
    const id = cellKeyString(delta);
    const before = model.cells.get(id);
    const values: Record<string, number> = { ...before?.values };
    for (const [code, value] of Object.entries(delta.values)) values[code] = (values[code] ?? 0) + value;
    const { placement, placedOn } = laterPlaced(before, delta);
    model.cells.set(id, { view: delta.view, level: delta.level, unitKey: delta.unitKey, periodKind: delta.periodKind, periodKey: delta.periodKey, placement, placedOn, values });
  }
  for (const target of deltas.targets) model.targets.set(`${target.unitKey}|${target.indicator}|${target.period}`, target.value);
  for (const team of deltas.teams) model.teams.set(team.teamId, team);
  for (const eventId of deltas.appliedEventIds) model.applied.add(eventId);
};

export const model2StateOf = (model: InMemoryModel2): Model2State => ({ teams: Object.fromEntries(model.teams) });

/** The projector's reads, as a store answers them at its checkpoint. */
export const model2Context = (model: InMemoryModel2, resolve: Model2Context['resolve']): Model2Context => ({
  resolve,
  isApplied: (eventId) => model.applied.has(eventId),
  teamHistory: (teamId): TeamHistory => ({
    facts: [...model.facts.values()].filter((fact) => fact.teamId === teamId),
    stocks: model.stocks.filter((stock) => stock.teamId === teamId),
  }),
});

// ── queries ─────────────────────────────────────────────────────────────────────────────────────────

/** A fine cell being summed from facts and stock facts: counts and stocks add. */
interface FineCell {
  readonly level: Level;
  readonly unitKey: string;
  readonly periodKey: string;
  placement: Placement;
  placedOn: string;
  readonly values: Map<string, number>;
}

interface PlacedUnit extends Placed {
  readonly level: Level;
  readonly unitKey: string;
}

const withoutUndefined = (placement: Placement): Placement =>
  Object.fromEntries(Object.entries(placement).filter(([, value]) => value !== undefined)) as Placement;

/** The team's placement today: its commune, village and current province (no district). */
const currentTeamPlacement = (team: Model2Team): Placement =>
  withoutUndefined({ village: villageKey(team.communeCode, team.village), commune: team.communeCode, province: team.provinceCode });

/** A place's unit at a level with its placement, as a unit chain places it (undefined when the place has no unit there). */
const placedUnit = (place: FactPlace, level: Level): PlacedUnit | undefined => {
  const unitKey = unitKeyAt(place, level);
  if (unitKey === undefined) return undefined;
  const { communeCode: commune, districtCode: district, provinceCode: province } = place;
  const ancestors: Record<Level, Placement> = {
    team: { village: villageKey(place.communeCode, place.village), commune, district, province },
    village: { commune, district, province },
    commune: { district, province },
    district: { province },
    province: {},
    nation: {},
  };
  return { level, unitKey, placement: withoutUndefined(ancestors[level]), placedOn: place.day };
};

const cellId = (level: Level, unitKey: string, periodKey: string): string => level + SEP + unitKey + SEP + periodKey;

/**
 * Every figure row of one view and period kind, as model 1 would hold it (rows that net to zero left
 * out): the materialised cells' counts and stocks (team cells placed by the team record in the current
 * view), fine cells summed from facts and stock facts, and every cell's distinct counts from the facts,
 * each carrying the placement of its cell.
 */
export const model2Rows = (model: InMemoryModel2, view: View, periodKind: PeriodKind): FigureRow[] => {
  const rows: FigureRow[] = [];
  /** `level unit period` → the placement of its (materialised or fine) cell. */
  const placed = new Map<string, Placed>();
  const emit = (key: CellKey, at: Placed, values: Iterable<[string, number]>) => {
    placed.set(cellId(key.level, key.unitKey, key.periodKey), at);
    for (const [indicator, value] of values) if (value !== 0) rows.push({ ...key, indicator, value, placement: at.placement, placedOn: at.placedOn });
  };
  for (const cell of model.cells.values()) {
    if (cell.periodKind !== periodKind) continue;
    if (cell.view === view) emit(cell, cell, Object.entries(cell.values));
    if (view === 'current' && cell.view === 'as-recorded' && cell.level === 'team') {
      const team = model.teams.get(cell.unitKey);
      const { district: _district, ...placement } = cell.placement;
      emit({ ...cell, view }, team ? { placement: currentTeamPlacement(team), placedOn: team.since } : { placement, placedOn: cell.placedOn }, Object.entries(cell.values));
    }
  }

  // Fine cells: village × any period, team × day; counts and stocks summed, the latest placement kept.
  const teamOf = (teamId: string) => (view === 'current' ? model.teams.get(teamId) : undefined);
  const fineLevels = (withTeam: boolean): readonly Level[] => (withTeam ? ['team', 'village'] : ['village']);
  const fine = new Map<string, FineCell>();
  const add = (at: FactPlace & { teamId: string }, day: string, levels: readonly Level[], values: (cell: FineCell) => void) => {
    const place = factPlace(at, view, teamOf(at.teamId));
    const key = periodKey(periodKind, day);
    for (const level of levels) {
      const unit = placedUnit(place, level);
      if (!unit) continue;
      const id = cellId(level, unit.unitKey, key);
      let cell = fine.get(id);
      if (!cell) fine.set(id, (cell = { ...unit, periodKey: key, values: new Map() }));
      ({ placement: cell.placement, placedOn: cell.placedOn } = laterPlaced(cell, unit));
      values(cell);
    }
  };
  for (const fact of model.facts.values()) {
    add(fact, fact.day, fineLevels(periodKind === 'day'), (cell) => {
      for (const code of fact.counts) cell.values.set(code, (cell.values.get(code) ?? 0) + 1);
    });
  }
  for (const stock of model.stocks) {
    if (view === 'current' && stock.scope !== 'both') continue;
    add(stock, stock.day, fineLevels(periodKind === 'day' && stock.scope === 'both'), (cell) => {
      cell.values.set(stock.indicator, (cell.values.get(stock.indicator) ?? 0) + stock.delta);
    });
  }
  for (const cell of fine.values()) emit({ view, level: cell.level, unitKey: cell.unitKey, periodKind, periodKey: cell.periodKey }, cell, cell.values);

  // Distinct counts of every cell, from the facts, placed as their cell is.
  const distinct = distinctFigureRows(model.facts.values(), teamOf, view, periodKind, LEVELS);
  const unplaced = distinct.filter((row) => !placed.has(cellId(row.level, row.unitKey, row.periodKey)));
  if (unplaced.length > 0) placeFromFacts(model, view, periodKind, new Set(unplaced.map((row) => cellId(row.level, row.unitKey, row.periodKey))), placed);
  for (const { level, unitKey, periodKey: key, indicator, value } of distinct) {
    const at = placed.get(cellId(level, unitKey, key)) as Placed;
    rows.push({ view, level, unitKey, periodKind, periodKey: key, indicator, value, placement: at.placement, placedOn: at.placedOn });
  }
  return rows;
};

/**
 * Placements for cells that hold a distinct figure but no cell (none expected: the facts behind the
 * figure placed their cells; a team whose activities came before its establishment is the known gap):
 * placed as a fine cell is, by the latest of the facts under it.
 */
const placeFromFacts = (model: InMemoryModel2, view: View, periodKind: PeriodKind, ids: ReadonlySet<string>, placed: Map<string, Placed>): void => {
  for (const fact of model.facts.values()) {
    const place = factPlace(fact, view, view === 'current' ? model.teams.get(fact.teamId) : undefined);
    const key = periodKey(periodKind, fact.day);
    for (const level of LEVELS) {
      const unit = placedUnit(place, level);
      if (!unit) continue;
      const id = cellId(level, unit.unitKey, key);
      if (ids.has(id)) placed.set(id, laterPlaced(placed.get(id), unit));
    }
  }
};

/** Model 1's query code over model 2's rows of one view and period kind. */
const asModel1 = (model: InMemoryModel2, view: View, period: string): InMemoryReadModel => {
  const periodKind = requirePeriodKind(period);
  let byKind = rowCache.get(model);
  if (!byKind) rowCache.set(model, (byKind = new Map()));
  let rows = byKind.get(view + periodKind);
  if (!rows) {
    rows = {
      counts: new Map(model2Rows(model, view, periodKind).map((row) => [figureKeyString(row), row])),
      refs: new Map(),
      targets: model.targets,
      teams: new Map(),
      applied: new Set(),
    };
    byKind.set(view + periodKind, rows);
  }
  return rows;
};

/** As model 1's `figuresOf`: flows of the period, stocks at its end, covered children, targets. */
export const figuresOfModel2 = (model: InMemoryModel2, view: View, level: Level, unitKeys: readonly string[], period: string): UnitFigures[] =>
  figuresOf(asModel1(model, view, period), view, level, unitKeys, period);

/** As model 1's `childrenOf`, except that a child whose every figure is zero is not listed (facts of retractions are gone). */
export const childrenOfModel2 = (model: InMemoryModel2, view: View, level: Level, unitKey: string, childLevel: Level, period: string): string[] =>
  childrenOf(asModel1(model, view, period), view, level, unitKey, childLevel, period);
