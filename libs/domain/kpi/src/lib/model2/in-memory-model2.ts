import { periodKey, type PeriodKind } from '@cdt/domain-shared';
import { figureKeyString, laterPlaced, type Placed } from '../deltas';
import type { UnitFigures } from '../figures';
import { childrenOf, figuresOf, requirePeriodKind, type FigureRow, type InMemoryReadModel } from '../in-memory-read-model';
import { villageKey, type Level, type Placement, type View } from '../units';
import { cellKeyString } from './cells';
import { footprintKeyString } from './footprints';
import type { CellKey, Fact, Footprint, FootprintKey, Model2Context, Model2Deltas, Model2State, Model2Team, StockFact, TeamHistory } from './types';

/**
 * The reference model-2 store: plain maps holding what a SQL or MongoDB store will hold (facts, stock
 * facts, footprints, wide cells, targets, teams, applied ids), and the queries over them with model 1's
 * signatures. Fine cells (team × day, village × any period) are computed from facts when asked.
 */

export interface WideCell extends CellKey, Placed {
  readonly values: Readonly<Record<string, number>>;
}

export interface InMemoryModel2 {
  readonly facts: Map<string, Fact>;
  readonly stocks: StockFact[];
  readonly footprints: Map<string, Footprint>;
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
  footprints: new Map(),
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
  for (const footprint of deltas.footprints) {
    if (footprint.places.length === 0) model.footprints.delete(footprintKeyString(footprint));
    else model.footprints.set(footprintKeyString(footprint), footprint);
  }
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
  footprintsOf: (keys: readonly FootprintKey[]) => keys.flatMap((key) => model.footprints.get(footprintKeyString(key)) ?? []),
  teamHistory: (teamId): TeamHistory => ({
    facts: [...model.facts.values()].filter((fact) => fact.teamId === teamId),
    stocks: model.stocks.filter((stock) => stock.teamId === teamId),
  }),
});

// ── queries ─────────────────────────────────────────────────────────────────────────────────────────

/** A fine cell being summed from facts: counts and stocks add, distinct subjects are collected. */
interface FineCell {
  level: Level;
  unitKey: string;
  periodKey: string;
  placement: Placement;
  placedOn: string;
  values: Map<string, number>;
  subjects: Map<string, Set<string>>;
}

const withoutUndefined = (placement: Placement): Placement =>
  Object.fromEntries(Object.entries(placement).filter(([, value]) => value !== undefined)) as Placement;

/** The team's placement today: its commune, village and current province (no district). */
const currentTeamPlacement = (team: Model2Team): Placement =>
  withoutUndefined({ village: villageKey(team.communeCode, team.village), commune: team.communeCode, province: team.provinceCode });

/** Where a fact or stock fact counts at the fine levels: its team (day cells only) and its village. */
const fineUnits = (
  model: InMemoryModel2,
  view: View,
  at: { teamId: string; communeCode: string; village: string; districtCode?: string; provinceCode?: string; day: string },
  withTeam: boolean,
): { level: Level; unitKey: string; placement: Placement; placedOn: string }[] => {
  const team = view === 'current' ? model.teams.get(at.teamId) : undefined;
  const communeCode = team ? team.communeCode : at.communeCode;
  const village = villageKey(communeCode, team ? team.village : at.village);
  const district = view === 'as-recorded' ? at.districtCode : undefined;
  const province = team ? team.provinceCode : at.provinceCode;
  const placedOn = team ? team.since : at.day;
  const units = [{ level: 'village' as const, unitKey: village, placement: withoutUndefined({ commune: communeCode, district, province }), placedOn }];
  return withTeam ? [{ level: 'team', unitKey: at.teamId, placement: withoutUndefined({ village, commune: communeCode, district, province }), placedOn }, ...units] : units;
};

/** Every figure row of one view and period kind, as model 1 would hold it (rows that net to zero left out). */
export const model2Rows = (model: InMemoryModel2, view: View, periodKind: PeriodKind): FigureRow[] => {
  const rows: FigureRow[] = [];
  const emit = (key: CellKey, placed: Placed, values: Iterable<[string, number]>) => {
    for (const [indicator, value] of values) if (value !== 0) rows.push({ ...key, indicator, value, placement: placed.placement, placedOn: placed.placedOn });
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
  const fine = new Map<string, FineCell>();
  const cellOf = (unit: ReturnType<typeof fineUnits>[number], day: string): FineCell => {
    const key = periodKey(periodKind, day);
    const id = `${unit.level}|${unit.unitKey}|${key}`;
    let cell = fine.get(id);
    if (!cell) fine.set(id, (cell = { ...unit, periodKey: key, values: new Map(), subjects: new Map() }));
    const later = laterPlaced(cell, unit);
    [cell.placement, cell.placedOn] = [later.placement, later.placedOn];
    return cell;
  };
  for (const fact of model.facts.values()) {
    for (const unit of fineUnits(model, view, fact, periodKind === 'day')) {
      const cell = cellOf(unit, fact.day);
      for (const code of fact.counts) cell.values.set(code, (cell.values.get(code) ?? 0) + 1);
      for (const [code, subjects] of Object.entries(fact.subjects)) {
        let set = cell.subjects.get(code);
        if (!set) cell.subjects.set(code, (set = new Set()));
        for (const subject of subjects) set.add(subject);
      }
    }
  }
  for (const stock of model.stocks) {
    if (view === 'current' && stock.scope !== 'both') continue;
    for (const unit of fineUnits(model, view, stock, periodKind === 'day' && stock.scope === 'both')) {
      const cell = cellOf(unit, stock.day);
      cell.values.set(stock.indicator, (cell.values.get(stock.indicator) ?? 0) + stock.delta);
    }
  }
  for (const cell of fine.values()) {
    const key = { view, level: cell.level, unitKey: cell.unitKey, periodKind, periodKey: cell.periodKey };
    emit(key, cell, [...cell.values, ...[...cell.subjects].map(([code, set]): [string, number] => [code, set.size])]);
  }
  return rows;
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
