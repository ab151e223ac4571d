import { INDICATORS, isUnder, requirePeriodKind, type InMemoryReadModel, type Level, type View } from '@cdt/domain-kpi';
import type { PeriodKind } from '@cdt/domain-shared';

/**
 * Bulk reading for evaluations (`KpiReadStore.figuresUnder`): every unit of one level lying under a
 * parent, for several periods at once, in one round trip instead of one query per unit chunk and period.
 */
export interface FiguresUnderQuery {
  readonly view: View;
  /** The parent: rows at `level` whose placement names it (a unit is under itself; everything is under the nation). */
  readonly under: { readonly level: Level; readonly unitKey: string };
  readonly level: Level;
  /** Period keys, of any kinds (a quarter and its weeks, say). */
  readonly periods: readonly string[];
  /** Flow and stock indicators to read; any other code is ignored (coverage is not a row of the unit). */
  readonly indicators: readonly string[];
  /** Target indicators to read for the periods, on the units named in `figures`. */
  readonly targets?: readonly string[];
}

/** A unit's value in one period: a flow's value in it, a stock summed over its kind up to it. Zeros are left out. */
export interface PeriodFigure {
  readonly unitKey: string;
  readonly period: string;
  readonly indicator: string;
  readonly value: number;
}

export interface FiguresUnder {
  /** In no particular order (a store returns them as its query yields them; sortedFiguresUnder orders them). */
  readonly figures: PeriodFigure[];
  /** Targets set for the query's periods on the units `figures` names; in no particular order. */
  readonly targets: PeriodFigure[];
}

export const FLOW_CODES: ReadonlySet<string> = new Set(INDICATORS.filter((i) => i.definition.kind === 'count' || i.definition.kind === 'distinct').map((i) => i.code));
export const STOCK_CODES: ReadonlySet<string> = new Set(INDICATORS.filter((i) => i.definition.kind === 'stock').map((i) => i.code));

/** The query's periods with their kinds, deduplicated; its indicators split into flows and stocks. */
export function planFiguresUnder(query: FiguresUnderQuery): { periods: { kind: PeriodKind; key: string }[]; flows: string[]; stocks: string[] } {
  const periods = [...new Set(query.periods)].map((key) => ({ kind: requirePeriodKind(key), key }));
  const indicators = [...new Set(query.indicators)];
  return { periods, flows: indicators.filter((code) => FLOW_CODES.has(code)), stocks: indicators.filter((code) => STOCK_CODES.has(code)) };
}

const byKey = (a: PeriodFigure, b: PeriodFigure): number =>
  a.unitKey !== b.unitKey ? (a.unitKey < b.unitKey ? -1 : 1) : a.period !== b.period ? (a.period < b.period ? -1 : 1) : a.indicator < b.indicator ? -1 : a.indicator > b.indicator ? 1 : 0;

/** Both lists by unit key, period, indicator: how the contract compares stores. */
export const sortedFiguresUnder = (result: FiguresUnder): FiguresUnder => ({ figures: [...result.figures].sort(byKey), targets: [...result.targets].sort(byKey) });

/**
 * The reference answer over the in-memory model of @cdt/domain-kpi: the contract suite holds every
 * store to it, and scoring's verification reads the model folded from the log through it.
 */
export function figuresUnderOf(model: InMemoryReadModel, query: FiguresUnderQuery): FiguresUnder {
  const { periods, flows, stocks } = planFiguresUnder(query);
  const flowSet = new Set(flows);
  const stockSet = new Set(stocks);
  const sums = new Map<string, PeriodFigure>();
  const add = (unitKey: string, period: string, indicator: string, value: number) => {
    const id = `${unitKey}\u001f${period}\u001f${indicator}`;
    sums.set(id, { unitKey, period, indicator, value: (sums.get(id)?.value ?? 0) + value });
  };
  for (const row of model.counts.values()) {
    if (row.view !== query.view || row.level !== query.level || !isUnder(row, query.under.level, query.under.unitKey)) continue;
    const flow = flowSet.has(row.indicator);
    if (!flow && !stockSet.has(row.indicator)) continue;
    for (const period of periods) {
      if (row.periodKind !== period.kind) continue;
      if (flow ? row.periodKey === period.key : row.periodKey <= period.key) add(row.unitKey, period.key, row.indicator, row.value);
    }
  }
  const figures = [...sums.values()].filter((figure) => figure.value !== 0);
  const units = new Set(figures.map((figure) => figure.unitKey));
  const targets: PeriodFigure[] = [];
  for (const unitKey of units) {
    for (const period of periods) {
      for (const indicator of new Set(query.targets ?? [])) {
        const value = model.targets.get(`${unitKey}|${indicator}|${period.key}`);
        if (value !== undefined) targets.push({ unitKey, period: period.key, indicator, value });
      }
    }
  }
  return sortedFiguresUnder({ figures, targets });
}
