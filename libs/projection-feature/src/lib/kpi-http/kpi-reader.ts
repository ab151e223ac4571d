import { Inject, Injectable } from '@nestjs/common';
import type { Hierarchy } from '@cdt/admin-units';
import { LEVEL_RANK, indicatorByCode, rankUnits, type Indicator, type IndicatorValue, type Level, type View } from '@cdt/domain-kpi';
import { periodKey, type PeriodBounds, type PeriodKind } from '@cdt/domain-shared';
import type { Checkpoint } from '@cdt/event-store';
import { KPI_READ_STORE, KpiAnswerCache, KpiQueries, periodsBetween, type CommuneCounter, type KpiQueryStore } from '@cdt/read-store';
import { KpiUnitResolver, badRequest } from './kpi-unit-resolver';
import { isOfficialLevel, type KpiUnit } from './kpi-units';

/** Where the read model stood in the event log when it answered, so a figure traces back to the log. */
export interface Watermark {
  /** The last log position the figures include; null before the projection's first batch. */
  readonly checkpoint: Checkpoint | null;
  /** False only if the projection kept moving during every attempt to read between two equal checkpoints. */
  readonly exact: boolean;
  /**
   * True when the model has moved past `checkpoint` since: an earlier answer served at once because the
   * client accepted it (`Cache-Control: max-stale`), while the current one is computed.
   */
  readonly stale: boolean;
}

export interface UnitHeader {
  readonly level: Level;
  readonly unitCode: string;
  readonly unitName: string;
}

export interface UnitReport extends UnitHeader {
  readonly view: View;
  readonly period: string;
  readonly periodKind: PeriodKind;
  readonly firstDay: string;
  readonly lastDay: string;
  readonly hierarchy?: Hierarchy;
  readonly watermark: Watermark;
  readonly indicators: IndicatorValue[];
}

export interface RankedChild extends UnitHeader {
  readonly rank: number;
  readonly value: number | null;
  readonly target?: number;
  readonly attainmentPct?: number;
}

export interface ChildrenReport extends UnitHeader {
  readonly view: View;
  readonly period: string;
  readonly childLevel: Level;
  readonly indicator: Pick<Indicator, 'code' | 'nameVi' | 'nameEn' | 'unit'>;
  readonly watermark: Watermark;
  readonly children: RankedChild[];
}

export interface SeriesReport extends UnitHeader {
  readonly view: View;
  readonly indicator: Pick<Indicator, 'code' | 'nameVi' | 'nameEn' | 'unit'>;
  readonly granularity: PeriodKind;
  readonly from: string;
  readonly to: string;
  readonly watermark: Watermark;
  readonly points: { period: string; value: IndicatorValue }[];
}

export interface CompareReport {
  readonly view: View;
  readonly period: string;
  readonly watermark: Watermark;
  readonly units: (UnitHeader & { indicators: IndicatorValue[] })[];
}

const indicatorHeader = (indicator: Indicator) => ({ code: indicator.code, nameVi: indicator.nameVi, nameEn: indicator.nameEn, unit: indicator.unit });
const header = (unit: KpiUnit): UnitHeader => ({ level: unit.level, unitCode: unit.unitKey, unitName: unit.name });

/** The level a drill-down lists when the caller names none: the next level down in the unit's hierarchy. */
export function defaultChildLevel(unit: KpiUnit, view: View): Level | undefined {
  switch (unit.level) {
    case 'nation':
      return 'province';
    case 'province':
      return view === 'as-recorded' && unit.hierarchy === 'pre-2025' ? 'district' : 'commune';
    case 'district':
      return 'commune';
    case 'commune':
      return 'village';
    case 'village':
      return 'team';
    case 'team':
      return undefined;
    default: {
      const unknownLevel: never = unit.level;
      return unknownLevel;
    }
  }
}

/**
 * The KPI questions of the query API over the KpiQueryStore port. Arithmetic (ratios, attainment,
 * ranks) is the domain's (@cdt/domain-kpi); this adds the official unit lists (names, commune
 * counts, children without figures) and the read model's checkpoint to every answer.
 */
@Injectable()
export class KpiReader {
  /**
   * Every report is read once per model checkpoint, however many clients ask at once (exact: the model
   * only changes with its checkpoint); a client accepting staleness gets the previous one at once.
   */
  private readonly answers = new KpiAnswerCache();

  constructor(
    @Inject(KPI_READ_STORE) private readonly store: KpiQueryStore,
    private readonly resolver: KpiUnitResolver,
  ) {}

  async unit(view: View, unit: KpiUnit, period: string, bounds: PeriodBounds, maxStaleMs = 0): Promise<UnitReport> {
    const question = ['unit', view, unit.level, unit.unitKey, unit.hierarchy, period];
    const { result, watermark } = await this.watermarked(question, maxStaleMs, (store) => this.queriesFor(store, [unit]).unitIndicators(view, unit, period));
    return {
      ...header(unit),
      view,
      period,
      periodKind: bounds.kind,
      firstDay: bounds.first,
      lastDay: bounds.last,
      ...(unit.hierarchy === undefined ? {} : { hierarchy: unit.hierarchy }),
      watermark,
      indicators: result.indicators,
    };
  }

  async children(view: View, unit: KpiUnit, childLevel: Level, indicatorCode: string, period: string, maxStaleMs = 0): Promise<ChildrenReport> {
    const indicator = indicatorByCode(indicatorCode);
    if (!indicator) throw badRequest('UNKNOWN_INDICATOR', 'indicator', `${indicatorCode} is not in the indicator catalog`);
    if (LEVEL_RANK[childLevel] >= LEVEL_RANK[unit.level]) throw badRequest('NOT_A_CHILD_LEVEL', 'childLevel', `${childLevel} is not below ${unit.level}`);
    if (view === 'current' && childLevel === 'district') throw badRequest('NO_DISTRICTS_IN_CURRENT_VIEW', 'childLevel', 'the current-units view has no districts');
    const directory = this.resolver.directory;
    const official = directory.officialChildren(unit, childLevel);
    // The figures of every child, whatever the indicator ranked by: one read serves every ranking.
    const question = ['children', view, unit.level, unit.unitKey, unit.hierarchy, childLevel, period];
    const { result, watermark } = await this.watermarked(question, maxStaleMs, async (store) => {
      const stored = await store.children(view, unit.level, unit.unitKey, childLevel, period);
      const keys = [...new Set([...official.map((child) => child.code), ...stored])];
      const figures = await store.figures(view, childLevel, keys, period);
      return { figures, stored };
    });
    // The store lists every child with a row up to the period's end; one that is not an official child
    // and has no figure in this period (an old commune a team left at the reform) is noise, not a zero.
    const officialCodes = new Set(official.map((child) => child.code));
    const listed = result.figures.filter((f) => officialCodes.has(f.unitKey) || Object.keys(f.values).length > 0);
    const hierarchies: Hierarchy[] = unit.hierarchy === undefined ? ['2025', 'pre-2025'] : [unit.hierarchy];
    const hierarchyOf = new Map<string, Hierarchy | undefined>(official.map((child) => [child.code, child.hierarchy]));
    for (const key of result.stored) {
      if (!hierarchyOf.has(key)) hierarchyOf.set(key, isOfficialLevel(childLevel) ? directory.official(childLevel, key, [...hierarchies, '2025', 'pre-2025'])?.hierarchy : unit.hierarchy);
    }
    const optionsOf = (key: string) => ({ communesInUnit: directory.communesIn({ level: childLevel, unitKey: key, hierarchy: hierarchyOf.get(key) }) });
    const targets = new Map(listed.map((f) => [f.unitKey, f.targets[indicator.code]]));
    const children = rankUnits(indicator.code, listed, optionsOf).map((ranked): RankedChild => {
      const target = targets.get(ranked.unitKey);
      return {
        rank: ranked.rank,
        level: childLevel,
        unitCode: ranked.unitKey,
        unitName: directory.nameOf(childLevel, ranked.unitKey, hierarchies),
        value: ranked.value,
        ...(target === undefined ? {} : { target }),
        ...(ranked.attainmentPct === undefined ? {} : { attainmentPct: ranked.attainmentPct }),
      };
    });
    return { ...header(unit), view, period, childLevel, indicator: indicatorHeader(indicator), watermark, children };
  }

  async series(view: View, unit: KpiUnit, indicatorCode: string, from: PeriodBounds, to: PeriodBounds, granularity: PeriodKind, maxStaleMs = 0): Promise<SeriesReport> {
    const indicator = indicatorByCode(indicatorCode);
    if (!indicator) throw badRequest('UNKNOWN_INDICATOR', 'indicator', `${indicatorCode} is not in the indicator catalog`);
    if (from.first > to.last) throw badRequest('INVALID_RANGE', 'to', `to (${to.last}) is before from (${from.first})`);
    try {
      periodsBetween(granularity, from.first, to.last);
    } catch (error) {
      throw badRequest('SERIES_TOO_LONG', 'to', error instanceof Error ? error.message : String(error));
    }
    const first = periodKey(granularity, from.first);
    const last = periodKey(granularity, to.last);
    const question = ['series', view, unit.level, unit.unitKey, unit.hierarchy, indicator.code, first, last];
    const { result, watermark } = await this.watermarked(question, maxStaleMs, (store) => this.queriesFor(store, [unit]).timeSeries(view, unit, indicator.code, first, last));
    return { ...header(unit), view, indicator: indicatorHeader(indicator), granularity, from: first, to: last, watermark, points: result };
  }

  async compare(view: View, units: readonly KpiUnit[], period: string, indicatorCodes: readonly string[] | undefined, maxStaleMs = 0): Promise<CompareReport> {
    const levels = [...new Set(units.map((unit) => unit.level))];
    const question = ['compare', view, period, ...units.map((unit) => [unit.level, unit.unitKey, unit.hierarchy])];
    const { result, watermark } = await this.watermarked(question, maxStaleMs, async (store) => {
      const queries = this.queriesFor(store, units);
      const answers = new Map<string, IndicatorValue[]>();
      for (const level of levels) {
        const keys = units.filter((unit) => unit.level === level).map((unit) => unit.unitKey);
        for (const answer of await queries.compareUnits(view, level, keys, period)) answers.set(`${level}:${answer.unitKey}`, answer.indicators);
      }
      return answers;
    });
    const wanted = indicatorCodes === undefined ? undefined : new Set(indicatorCodes);
    return {
      view,
      period,
      watermark,
      units: units.map((unit) => ({
        ...header(unit),
        indicators: (result.get(`${unit.level}:${unit.unitKey}`) ?? []).filter((value) => wanted === undefined || wanted.has(value.code)),
      })),
    };
  }

  private queriesFor(store: KpiQueryStore, units: readonly KpiUnit[]): KpiQueries {
    const byKey = new Map(units.map((unit) => [`${unit.level}:${unit.unitKey}`, unit]));
    const communesIn: CommuneCounter = (level, unitKey) => {
      const unit = byKey.get(`${level}:${unitKey}`);
      return unit === undefined ? undefined : this.resolver.directory.communesIn(unit);
    };
    return new KpiQueries(store, communesIn);
  }

  /**
   * The report read in one snapshot of the model (PostgreSQL/PGlite) or between two equal checkpoints
   * (MongoDB: a batch landing mid-read makes the cache read again), so its figures are exactly those of
   * one log position, computed once per checkpoint for all concurrent askers; or, within `maxStaleMs`,
   * the previous checkpoint's report, labelled with it. `read` queries the store it is given only.
   */
  private async watermarked<T>(question: unknown[], maxStaleMs: number, read: (store: KpiQueryStore) => Promise<T>): Promise<{ result: T; watermark: Watermark }> {
    const { answer, at, exact, stale } = await this.answers.answerAt<KpiQueryStore, T>(this.store, JSON.stringify(question), read, { maxStaleMs });
    return { result: answer, watermark: { checkpoint: at ?? null, exact, stale } };
  }
}
