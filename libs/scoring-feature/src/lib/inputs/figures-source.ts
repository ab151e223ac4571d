import {
  LEVEL_RANK,
  NATION_KEY,
  childrenOf,
  figuresOf,
  requirePeriodKind,
  type FigureRow,
  type InMemoryReadModel,
  type Level,
  type UnitFigures,
  type View,
} from '@cdt/domain-kpi';
import { figuresUnderOf, type FiguresUnder, type FiguresUnderQuery } from '@cdt/read-store';

/**
 * Where an evaluation reads its figures: the three queries of the KPI read-store port it needs (a run
 * of teams reads in bulk through `figuresUnder`; communes and provinces also per unit, for coverage). The live
 * read store (any adapter) is one; `InMemoryFigures`, over the reference model folded from the log up to
 * a watermark, is the other. Runs and `cdt ranking verify` gather through the same code over either.
 */
export interface FiguresSource {
  figures(view: View, level: Level, unitKeys: readonly string[], period: string): Promise<UnitFigures[]>;
  children(view: View, level: Level, unitKey: string, childLevel: Level, period: string): Promise<string[]>;
  figuresUnder(query: FiguresUnderQuery): Promise<FiguresUnder>;
}

const PLACEMENT_FIELD: Partial<Record<Level, 'village' | 'commune' | 'district' | 'province'>> = {
  village: 'village',
  commune: 'commune',
  district: 'district',
  province: 'province',
};

/**
 * The reference model's queries (`figuresOf`, `childrenOf` of @cdt/domain-kpi), made affordable for
 * thousands of units: rows are bucketed once per (view, period kind, level) by the unit they belong or
 * lie under, and each question is asked of its unit's bucket only. Same answers, as the buckets hold
 * every row those functions would look at for that unit.
 */
export class InMemoryFigures implements FiguresSource {
  private readonly buckets = new Map<string, Map<string, FigureRow[]>>();

  constructor(private readonly model: InMemoryReadModel) {}

  async figures(view: View, level: Level, unitKeys: readonly string[], period: string): Promise<UnitFigures[]> {
    const bucket = this.bucket(view, requirePeriodKind(period), level);
    return unitKeys.map((unitKey) => figuresOf(this.subModel(bucket.get(unitKey)), view, level, [unitKey], period)[0]);
  }

  async children(view: View, level: Level, unitKey: string, childLevel: Level, period: string): Promise<string[]> {
    const bucket = this.bucket(view, requirePeriodKind(period), level);
    return childrenOf(this.subModel(bucket.get(unitKey)), view, level, unitKey, childLevel, period);
  }

  /** figuresUnderOf over the rows of the parent's buckets (one per period kind asked), not the whole model. */
  async figuresUnder(query: FiguresUnderQuery): Promise<FiguresUnder> {
    const kinds = new Set(query.periods.map(requirePeriodKind));
    const rows = [...kinds].flatMap((kind) => (this.bucket(query.view, kind, query.under.level).get(query.under.unitKey) ?? []).filter((row) => row.level === query.level));
    return figuresUnderOf(this.subModel(rows), query);
  }

  private subModel(rows: readonly FigureRow[] | undefined): InMemoryReadModel {
    const counts = new Map<string, FigureRow>();
    (rows ?? []).forEach((row, index) => counts.set(String(index), row));
    return { ...this.model, counts };
  }

  private bucket(view: View, periodKind: string, level: Level): Map<string, FigureRow[]> {
    const id = `${view}|${periodKind}|${level}`;
    let bucket = this.buckets.get(id);
    if (bucket) return bucket;
    bucket = new Map();
    const field = PLACEMENT_FIELD[level];
    const add = (key: string | undefined, row: FigureRow) => {
      if (key === undefined) return;
      const rows = bucket?.get(key);
      if (rows) rows.push(row);
      else bucket?.set(key, [row]);
    };
    for (const row of this.model.counts.values()) {
      if (row.view !== view || row.periodKind !== periodKind) continue;
      if (row.level === level) add(row.unitKey, row);
      else if (LEVEL_RANK[row.level] < LEVEL_RANK[level]) add(level === 'nation' ? NATION_KEY : field && row.placement[field], row);
    }
    this.buckets.set(id, bucket);
    return bucket;
  }
}
