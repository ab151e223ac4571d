import type { PeriodKind } from '@cdt/domain-shared';
import { laterPlaced } from '../deltas';
import type { UnitFigures } from '../figures';
import { childrenOf, figuresOf, readModelOfRows, requirePeriodKind, type FigureRow, type InMemoryReadModel } from '../in-memory-read-model';
import type { Level, View } from '../units';
import { cellKeyString } from './cells';
import { model2RowsOf } from './model2-rows';
import type { Fact, Model2Context, Model2Deltas, Model2State, Model2Team, StockFact, TeamHistory, WideCell } from './types';

/**
 * The reference model-2 store: plain maps holding what a SQL or MongoDB store will hold (facts, stock
 * facts, wide cells, targets, teams, applied ids), and the queries over them with model 1's signatures.
 * Fine cells (team × day, village × any period) are computed from facts when asked, and so are the
 * distinct counts of every cell (model2RowsOf, the rule the MongoDB store shares).
 */

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

/** Every figure row of one view and period kind, as model 1 would hold it (model2RowsOf over all the model holds). */
export const model2Rows = (model: InMemoryModel2, view: View, periodKind: PeriodKind): FigureRow[] => model2RowsOf(model, view, periodKind);

/** Model 1's query code over model 2's rows of one view and period kind. */
const asModel1 = (model: InMemoryModel2, view: View, period: string): InMemoryReadModel => {
  const periodKind = requirePeriodKind(period);
  let byKind = rowCache.get(model);
  if (!byKind) rowCache.set(model, (byKind = new Map()));
  let rows = byKind.get(view + periodKind);
  if (!rows) {
    rows = readModelOfRows(model2Rows(model, view, periodKind), model.targets);
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
