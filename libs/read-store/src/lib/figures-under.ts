import { INDICATORS, isUnder, model2Rows, requirePeriodKind, type FigureRow, type InMemoryModel2, type InMemoryReadModel, type Level, type View } from '@cdt/domain-kpi';
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
  /** Target indicators to read for the periods, on the units the answer lists. */
  readonly targets?: readonly string[];
}

/**
 * The answer by position, so that a store hands over one array of numbers per unit rather than one
 * object per value (a nationwide evaluation of teams reads ~2 M values; docs/operations/benchmarks.md).
 * `periods`, `indicators` and `targetIndicators` are the query's, deduplicated, in the order asked
 * (`indicators`: its flows, then its stocks; other codes are left out), the same in every store.
 */
export interface FiguresUnder {
  readonly periods: readonly string[];
  readonly indicators: readonly string[];
  readonly targetIndicators: readonly string[];
  /** Units with at least one non-zero value, in no particular order (sortedFiguresUnder orders them). */
  readonly units: UnitFiguresUnder[];
}

export interface UnitFiguresUnder {
  readonly unitKey: string;
  /** `values[p * indicators.length + i]`: indicators[i] in periods[p], a flow's value in it or a stock summed up to it; 0 when none. */
  readonly values: number[];
  /** `targets[p * targetIndicators.length + i]`: the target set for targetIndicators[i] and periods[p]; null when none is. */
  readonly targets: (number | null)[];
}

export const FLOW_CODES: ReadonlySet<string> = new Set(INDICATORS.filter((i) => i.definition.kind === 'count' || i.definition.kind === 'distinct').map((i) => i.code));
export const STOCK_CODES: ReadonlySet<string> = new Set(INDICATORS.filter((i) => i.definition.kind === 'stock').map((i) => i.code));

export interface FiguresUnderPlan {
  readonly periods: { kind: PeriodKind; key: string }[];
  readonly flows: string[];
  readonly stocks: string[];
  /** The answer's `indicators`: flows, then stocks. */
  readonly indicators: string[];
  readonly targetIndicators: string[];
}

/** The query's periods with their kinds, deduplicated; its indicators split into flows and stocks; its targets deduplicated. */
export function planFiguresUnder(query: FiguresUnderQuery): FiguresUnderPlan {
  const periods = [...new Set(query.periods)].map((key) => ({ kind: requirePeriodKind(key), key }));
  const codes = [...new Set(query.indicators)];
  const flows = codes.filter((code) => FLOW_CODES.has(code));
  const stocks = codes.filter((code) => STOCK_CODES.has(code));
  return { periods, flows, stocks, indicators: [...flows, ...stocks], targetIndicators: [...new Set(query.targets ?? [])] };
}

/** An answer with no units yet, shaped by the plan. */
export const emptyFiguresUnder = (plan: FiguresUnderPlan): FiguresUnder => ({
  periods: plan.periods.map((period) => period.key),
  indicators: plan.indicators,
  targetIndicators: plan.targetIndicators,
  units: [],
});

/** A unit of the answer with every value 0 and no target. */
export const blankUnit = (answer: FiguresUnder, unitKey: string): UnitFiguresUnder => ({
  unitKey,
  values: new Array<number>(answer.periods.length * answer.indicators.length).fill(0),
  targets: new Array<number | null>(answer.periods.length * answer.targetIndicators.length).fill(null),
});

/** A unit's value of an indicator in a period, by code (0 when none or not asked). */
export const figureUnder = (answer: FiguresUnder, unit: UnitFiguresUnder, period: string, indicator: string): number => {
  const p = answer.periods.indexOf(period);
  const i = answer.indicators.indexOf(indicator);
  return p < 0 || i < 0 ? 0 : unit.values[p * answer.indicators.length + i];
};

const byUnitKey = (a: UnitFiguresUnder, b: UnitFiguresUnder): number => (a.unitKey < b.unitKey ? -1 : a.unitKey > b.unitKey ? 1 : 0);

/** The units by unit key: how the contract compares stores. */
export const sortedFiguresUnder = (result: FiguresUnder): FiguresUnder => ({ ...result, units: [...result.units].sort(byUnitKey) });

/** Figure rows an answer sums, for some of its periods (every one when `periods` is absent). */
export interface RowsForPeriods {
  readonly rows: Iterable<FigureRow>;
  readonly periods?: readonly string[];
}

/**
 * The arithmetic of every `figuresUnder` answer: over rows holding model 1's figure rows (each period
 * read from one source), the rows at `query.level` under the parent, a flow's value in each period and a
 * stock's summed up to it; then the targets (`targetOf`) of the units with a non-zero value.
 */
export function figuresUnderOfRows(
  query: FiguresUnderQuery,
  sources: readonly RowsForPeriods[],
  targetOf: (unitKey: string, indicator: string, period: string) => number | undefined,
): FiguresUnder {
  const plan = planFiguresUnder(query);
  const answer = emptyFiguresUnder(plan);
  const width = plan.indicators.length;
  const position = new Map(plan.indicators.map((code, i) => [code, i]));
  const flowSet = new Set(plan.flows);
  const sums = new Map<string, UnitFiguresUnder>();
  for (const source of sources) {
    const wanted = source.periods === undefined ? undefined : new Set(source.periods);
    const periods = plan.periods.map((period, p) => ({ ...period, p })).filter((period) => wanted === undefined || wanted.has(period.key));
    for (const row of source.rows) {
      if (row.view !== query.view || row.level !== query.level || !isUnder(row, query.under.level, query.under.unitKey)) continue;
      const i = position.get(row.indicator);
      if (i === undefined) continue;
      const flow = flowSet.has(row.indicator);
      for (const period of periods) {
        if (row.periodKind !== period.kind || !(flow ? row.periodKey === period.key : row.periodKey <= period.key)) continue;
        let unit = sums.get(row.unitKey);
        if (!unit) sums.set(row.unitKey, (unit = blankUnit(answer, row.unitKey)));
        unit.values[period.p * width + i] += row.value;
      }
    }
  }
  for (const unit of sums.values()) {
    if (unit.values.every((value) => value === 0)) continue;
    plan.periods.forEach((period, p) =>
      plan.targetIndicators.forEach((indicator, i) => {
        const value = targetOf(unit.unitKey, indicator, period.key);
        if (value !== undefined) unit.targets[p * plan.targetIndicators.length + i] = value;
      }),
    );
    answer.units.push(unit);
  }
  return sortedFiguresUnder(answer);
}

/** A target lookup over `${unitKey}|${indicator}|${period}` keys, as the in-memory models hold them. */
export const targetsIn =
  (targets: ReadonlyMap<string, number>) =>
  (unitKey: string, indicator: string, period: string): number | undefined =>
    targets.get(`${unitKey}|${indicator}|${period}`);

/**
 * The reference answer over the in-memory model of @cdt/domain-kpi: the contract suite holds every
 * store to it, and scoring's verification reads the model folded from the log through it.
 */
export function figuresUnderOf(model: InMemoryReadModel, query: FiguresUnderQuery): FiguresUnder {
  return figuresUnderOfRows(query, [{ rows: model.counts.values() }], targetsIn(model.targets));
}

/**
 * The reference answer over the in-memory model 2 (ADR 0010): model 1's arithmetic over model 2's rows
 * (`model2Rows`) of each period kind asked, and its targets. The model-2 store contract holds both
 * model-2 stores to it.
 */
export function figuresUnderOfModel2(model: InMemoryModel2, query: FiguresUnderQuery): FiguresUnder {
  const byKind = new Map<PeriodKind, string[]>();
  for (const { kind, key } of planFiguresUnder(query).periods) byKind.set(kind, [...(byKind.get(kind) ?? []), key]);
  const sources = [...byKind].map(([kind, periods]) => ({ rows: model2Rows(model, query.view, kind), periods }));
  return figuresUnderOfRows(query, sources, targetsIn(model.targets));
}
