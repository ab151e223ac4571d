import {
  LEVEL_RANK,
  indicatorByCode,
  indicatorValues,
  rankUnits,
  type FigureOptions,
  type IndicatorValue,
  type Level,
  type RankedUnit,
  type View,
} from '@cdt/domain-kpi';
import { parsePeriod, periodKey, type PeriodKind } from '@cdt/domain-shared';
import type { KpiReadStore } from './read-store.port';
import type { KpiAnswerCache } from './kpi-answer-cache';

export * from './kpi-answer-cache';

/**
 * What the questions read: a checkpoint and the stored figures and children. Model 1's KpiReadStore and
 * model 2's KpiModel2Store (ADR 0010) both answer it with the same signatures, so one query layer serves either.
 */
export type KpiAnswerSource = Pick<KpiReadStore, 'checkpoint' | 'figures' | 'children' | 'snapshot'>;

/** How many communes a unit has, from the official unit lists (admin units); undefined when unknown. */
export type CommuneCounter = (level: Level, unitKey: string, period: string) => number | undefined;

export interface UnitRef {
  readonly level: Level;
  readonly unitKey: string;
}

export interface UnitIndicators extends UnitRef {
  readonly view: View;
  readonly period: string;
  readonly indicators: IndicatorValue[];
}

/**
 * The questions a province asks, answered from any KpiAnswerSource (a model-1 or model-2 store): ratios and attainment are computed
 * by the domain (@cdt/domain-kpi figures), so every store gives the same numbers.
 */
export class KpiQueries {
  constructor(
    private readonly store: KpiAnswerSource,
    private readonly communesIn: CommuneCounter = () => undefined,
    /** Optional: answers reused until the model's checkpoint moves (see KpiAnswerCache). */
    private readonly cache?: KpiAnswerCache,
  ) {}

  /** `compute` over the queries of the store the cache reads (the snapshot's view of this one, or this one). */
  private cached<T>(question: unknown[], compute: (queries: KpiQueries) => Promise<T>): Promise<T> {
    if (!this.cache) return compute(this);
    return this.cache.answer<KpiAnswerSource, T>(this.store, JSON.stringify(question), (store) => compute(store === this.store ? this : new KpiQueries(store, this.communesIn)));
  }

  private options(level: Level, unitKey: string, period: string): FigureOptions {
    return { communesInUnit: this.communesIn(level, unitKey, period) };
  }

  /** One unit's indicators for a period, each with its target and attainment when one is set. */
  async unitIndicators(view: View, unit: UnitRef, period: string): Promise<UnitIndicators> {
    return (await this.compareUnits(view, unit.level, [unit.unitKey], period))[0];
  }

  /** Several units of one level side by side. */
  async compareUnits(view: View, level: Level, unitKeys: readonly string[], period: string): Promise<UnitIndicators[]> {
    return this.cached(['compare', view, level, unitKeys, period], (queries) => queries.compareUncached(view, level, unitKeys, period));
  }

  private async compareUncached(view: View, level: Level, unitKeys: readonly string[], period: string): Promise<UnitIndicators[]> {
    const figures = await this.store.figures(view, level, unitKeys, period);
    return figures.map((f) => ({ view, level, unitKey: f.unitKey, period, indicators: indicatorValues(f, this.options(level, f.unitKey, period)) }));
  }

  /** The unit's children at `childLevel`, ranked by one indicator (drill-down). */
  async rankChildren(view: View, unit: UnitRef, childLevel: Level, indicator: string, period: string): Promise<RankedUnit[]> {
    if (!indicatorByCode(indicator)) throw new Error(`unknown indicator ${indicator}`);
    if (LEVEL_RANK[childLevel] >= LEVEL_RANK[unit.level]) throw new Error(`${childLevel} is not below ${unit.level}`);
    return this.cached(['rank', view, unit.level, unit.unitKey, childLevel, indicator, period], async (queries) => {
      const children = await queries.store.children(view, unit.level, unit.unitKey, childLevel, period);
      const figures = await queries.store.figures(view, childLevel, children, period);
      return rankUnits(indicator, figures, (unitKey) => this.options(childLevel, unitKey, period));
    });
  }

  /** One indicator of one unit over consecutive periods of a kind, `from` to `to` inclusive. */
  async timeSeries(view: View, unit: UnitRef, indicator: string, from: string, to: string): Promise<{ period: string; value: IndicatorValue }[]> {
    const definition = indicatorByCode(indicator);
    const first = parsePeriod(from);
    const last = parsePeriod(to);
    if (!definition || !first || !last || first.kind !== last.kind || from > to) throw new Error('a time series needs a known indicator and two periods of one kind, in order');
    const periods = periodsBetween(first.kind, first.first, last.last);
    const series = [];
    for (const period of periods) {
      const [figures] = await this.store.figures(view, unit.level, [unit.unitKey], period);
      const value = indicatorValues(figures, this.options(unit.level, unit.unitKey, period)).find((v) => v.code === indicator);
      if (value) series.push({ period, value });
    }
    return series;
  }
}

const MAX_SERIES = 400;

/** Period keys of one kind covering [firstDay, lastDay]. */
export const periodsBetween = (kind: PeriodKind, firstDay: string, lastDay: string): string[] => {
  const keys: string[] = [];
  let day = firstDay;
  while (day <= lastDay) {
    const key = periodKey(kind, day);
    if (keys.at(-1) !== key) keys.push(key);
    if (keys.length > MAX_SERIES) throw new Error(`a time series is limited to ${MAX_SERIES} periods`);
    const bounds = parsePeriod(key);
    if (!bounds) break;
    day = nextDay(bounds.last);
  }
  return keys;
};

const nextDay = (date: string): string => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
