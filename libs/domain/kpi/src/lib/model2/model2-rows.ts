import { periodKey, type PeriodKind } from '@cdt/domain-shared';
import { KEY_SEPARATOR as SEP, laterPlaced, type Placed } from '../deltas';
import type { FigureRow } from '../in-memory-read-model';
import { LEVELS, villageKey, type Level, type Placement, type View } from '../units';
import { TEAM_FINE_KINDS, TEAM_KINDS_FROM_MONTHS, teamCellsFromMonths } from './cells';
import { distinctFigureRows, factPlace, unitKeyAt } from './distinct-rows';
import type { CellKey, Fact, FactPlace, Model2Team, StockFact, WideCell } from './types';

/**
 * Model 2's figure rows of one view and period kind, as model 1 would hold them: the one rule for the
 * in-memory model (over all it holds) and the MongoDB store (over the records one query read). The SQL
 * store builds the same rows in SQL.
 */

/** Records that can be listed more than once: an array, a Map (its values), a Set. */
export interface Listing<T> {
  values(): Iterable<T>;
}

/** What the rows are built from: a store's records as read, all of them or those one answer needs. */
export interface Model2Records {
  /** Materialised cells (team cells stored once, as recorded). */
  readonly cells: Listing<WideCell>;
  /** Live facts in write order: of two contributors of one day, the later places a fine cell. */
  readonly facts: Listing<Fact>;
  /** Stock facts in write order. */
  readonly stocks: Listing<StockFact>;
  /** Team records now, by team id (asked in the current view only). */
  readonly teams: ReadonlyMap<string, Model2Team>;
}

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
 * The materialised cells of a period kind: those stored, and team × quarter or year summed from the team's
 * month cells (a team cell of those kinds a store may still hold from an older layout is ignored).
 */
function* cellsOfKind(cells: Listing<WideCell>, periodKind: PeriodKind): Iterable<WideCell> {
  const fromMonths = TEAM_KINDS_FROM_MONTHS.has(periodKind);
  for (const cell of cells.values()) if (cell.periodKind === periodKind && !(fromMonths && cell.level === 'team')) yield cell;
  if (fromMonths) yield* teamCellsFromMonths(cells.values(), periodKind);
}

/**
 * Every figure row of one view and period kind at `levels` (all by default) that the records hold, rows
 * that net to zero left out: the materialised cells' counts and stocks (team cells placed by the team
 * record in the current view), fine cells (team × day and week, village × any period) summed from facts and stock
 * facts, each placed as its latest-day contributor, and every cell's distinct counts from the facts
 * (distinctFigureRows), each carrying the placement of its cell.
 */
export const model2RowsOf = (records: Model2Records, view: View, periodKind: PeriodKind, levels: readonly Level[] = LEVELS): FigureRow[] => {
  const wanted = new Set(levels);
  const rows: FigureRow[] = [];
  /** `level unit period` → the placement of its (materialised or fine) cell. */
  const placed = new Map<string, Placed>();
  const emit = (key: CellKey, at: Placed, values: Iterable<[string, number]>) => {
    placed.set(cellId(key.level, key.unitKey, key.periodKey), at);
    for (const [indicator, value] of values) if (value !== 0) rows.push({ ...key, indicator, value, placement: at.placement, placedOn: at.placedOn });
  };
  for (const cell of cellsOfKind(records.cells, periodKind)) {
    if (!wanted.has(cell.level)) continue;
    if (cell.view === view) emit(cell, cell, Object.entries(cell.values));
    if (view === 'current' && cell.view === 'as-recorded' && cell.level === 'team') {
      const team = records.teams.get(cell.unitKey);
      const { district: _district, ...placement } = cell.placement;
      emit({ ...cell, view }, team ? { placement: currentTeamPlacement(team), placedOn: team.since } : { placement, placedOn: cell.placedOn }, Object.entries(cell.values));
    }
  }

  // Fine cells: village × any period, team × day and week; counts and stocks summed, the latest placement kept.
  const teamOf = (teamId: string) => (view === 'current' ? records.teams.get(teamId) : undefined);
  const fineLevels = (withTeam: boolean): readonly Level[] => (withTeam ? (['team', 'village'] as const) : (['village'] as const)).filter((level) => wanted.has(level));
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
  const teamFine = TEAM_FINE_KINDS.has(periodKind);
  const factLevels = fineLevels(teamFine);
  for (const fact of records.facts.values()) {
    add(fact, fact.day, factLevels, (cell) => {
      for (const code of fact.counts) cell.values.set(code, (cell.values.get(code) ?? 0) + 1);
    });
  }
  for (const stock of records.stocks.values()) {
    if (view === 'current' && stock.scope !== 'both') continue;
    add(stock, stock.day, fineLevels(teamFine && stock.scope === 'both'), (cell) => {
      cell.values.set(stock.indicator, (cell.values.get(stock.indicator) ?? 0) + stock.delta);
    });
  }
  for (const cell of fine.values()) emit({ view, level: cell.level, unitKey: cell.unitKey, periodKind, periodKey: cell.periodKey }, cell, cell.values);

  // Distinct counts of every cell, from the facts, placed as their cell is.
  const distinct = distinctFigureRows(records.facts.values(), teamOf, view, periodKind, levels);
  const unplaced = distinct.filter((row) => !placed.has(cellId(row.level, row.unitKey, row.periodKey)));
  if (unplaced.length > 0) placeFromFacts(records.facts, teamOf, view, periodKind, levels, new Set(unplaced.map((row) => cellId(row.level, row.unitKey, row.periodKey))), placed);
  for (const { level, unitKey, periodKey: key, indicator, value } of distinct) {
    const at = placed.get(cellId(level, unitKey, key)) as Placed;
    rows.push({ view, level, unitKey, periodKind, periodKey: key, indicator, value, placement: at.placement, placedOn: at.placedOn });
  }
  return rows;
};

/**
 * Placements for cells that hold a distinct figure but no cell (in the whole model none is expected: the
 * facts behind the figure placed their cells, a team whose activities came before its establishment
 * being the known gap; records read for one answer may lack a cell): placed as a fine cell is, by the
 * latest of the facts under it.
 */
const placeFromFacts = (
  facts: Listing<Fact>,
  teamOf: (teamId: string) => Model2Team | undefined,
  view: View,
  periodKind: PeriodKind,
  levels: readonly Level[],
  ids: ReadonlySet<string>,
  placed: Map<string, Placed>,
): void => {
  for (const fact of facts.values()) {
    const place = factPlace(fact, view, teamOf(fact.teamId));
    const key = periodKey(periodKind, fact.day);
    for (const level of levels) {
      const unit = placedUnit(place, level);
      if (!unit) continue;
      const id = cellId(level, unit.unitKey, key);
      if (ids.has(id)) placed.set(id, laterPlaced(placed.get(id), unit));
    }
  }
};
