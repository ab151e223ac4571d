import { LEVELS, type Level, type View } from '@cdt/domain-kpi';
import type { KpiQueryStore } from '@cdt/read-store';
import type { mongo } from 'mongoose';

/**
 * Every figure, live refcount, target and team of one MongoDB model version, as sorted lines (the
 * counterpart of dumpModel): the batch bookkeeping (`appliedUpTo`, `lastDelta`, `created`, `prev`) is
 * left out, and so are zeros (whether a document that went back to 0 remains depends on batching).
 */
export async function dumpMongoModel(db: mongo.Db, schema: string): Promise<{ figures: string[]; refs: string[]; targets: string[]; teams: string[] }> {
  const docs = (name: string) => db.collection(`${schema}.${name}`).find({}).toArray();
  const line = (...parts: unknown[]) => parts.map((p) => (p === undefined ? '' : String(p))).join('|');
  return {
    figures: (await docs('figures'))
      .filter((d) => d['value'] !== 0)
      .map((d) => line(d['view'], d['level'], d['unitKey'], d['periodKind'], d['periodKey'], d['indicator'], d['value'], d['village'], d['commune'], d['district'], d['province'], d['placedOn']))
      .sort(),
    refs: (await docs('refs'))
      .filter((d) => d['count'] !== 0)
      .map((d) => line(d['view'], d['level'], d['unitKey'], d['periodKind'], d['periodKey'], d['indicator'], d['subject'], d['count']))
      .sort(),
    targets: (await docs('targets')).map((d) => line(d['unitKey'], d['indicator'], d['period'], d['value'])).sort(),
    teams: (await docs('teams')).map((d) => `${String(d['_id'])}|${JSON.stringify(d['record'])}`).sort(),
  };
}

export interface FigureProbe {
  view: View;
  level: Level;
  unitKeys: string[];
  period: string;
}

/** Every (view, level, period) a model holds figures for, with all its units there: what `figures()` is asked. */
export async function figureProbes(db: mongo.Db, schema: string): Promise<FigureProbe[]> {
  const groups = await db
    .collection(`${schema}.figures`)
    .aggregate<{ _id: { view: View; level: Level; period: string }; units: string[] }>([
      { $match: { value: { $ne: 0 } } },
      { $group: { _id: { view: '$view', level: '$level', period: '$periodKey' }, units: { $addToSet: '$unitKey' } } },
    ])
    .toArray();
  return groups
    .map((g) => ({ view: g._id.view, level: g._id.level, period: g._id.period, unitKeys: [...g.units].sort() }))
    .sort((a, b) => `${a.view}|${a.level}|${a.period}`.localeCompare(`${b.view}|${b.level}|${b.period}`));
}

/** The probes of months, quarters and years (days and weeks would be thousands of queries). */
export const coarseProbes = (probes: readonly FigureProbe[]): FigureProbe[] => probes.filter((p) => /^\d{4}(-\d{2}|-Q\d)?$/.test(p.period));

/** Key order follows document order, which batching changes: compare the numbers only. */
const sortedKeys = (record: Record<string, number>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

/**
 * The answers of `figures()` to every probe and of `children()` for each unit one level down (the
 * current view has no district): two stores hold the same model for the query side when these are equal.
 */
export async function queryAnswers(store: KpiQueryStore, probes: readonly FigureProbe[]): Promise<string[]> {
  const answers: string[] = [];
  for (const p of probes) {
    const figures = (await store.figures(p.view, p.level, p.unitKeys, p.period)).map((f) => ({ unitKey: f.unitKey, values: sortedKeys(f.values), targets: sortedKeys(f.targets) }));
    answers.push(`${p.view}|${p.level}|${p.period} ${JSON.stringify(figures)}`);
    const below = LEVELS[LEVELS.indexOf(p.level) - 1];
    const childLevel = below === 'district' && p.view === 'current' ? 'commune' : below;
    if (childLevel === undefined) continue;
    for (const unitKey of p.unitKeys) answers.push(`${p.view}|${p.level}|${unitKey}|${p.period} → ${childLevel}: ${(await store.children(p.view, p.level, unitKey, childLevel, p.period)).join(',')}`);
  }
  return answers;
}
