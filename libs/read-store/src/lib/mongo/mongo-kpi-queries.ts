import { INDICATORS, LEVEL_RANK, NATION_KEY, requirePeriodKind, type Level, type UnitFigures, type View } from '@cdt/domain-kpi';
import type { mongo } from 'mongoose';
import { blankUnit, emptyFiguresUnder, planFiguresUnder, type FiguresUnder, type FiguresUnderQuery, type UnitFiguresUnder } from '../figures-under';
import type { FigureDoc, KpiCollections } from './mongo-documents';

/** The query side of the MongoDB store: the same figures as the SQL adapter's, from the same documents the writes keep. */

const FLOWS = INDICATORS.filter((i) => i.definition.kind === 'count' || i.definition.kind === 'distinct').map((i) => i.code);
const STOCKS = INDICATORS.filter((i) => i.definition.kind === 'stock').map((i) => i.code);
const COVERED = INDICATORS.flatMap((i) => (i.definition.kind === 'covered' ? [{ code: i.code, ...i.definition }] : []));
/** The placement field that names a unit of this level as an ancestor. */
const ANCESTOR_FIELD: Partial<Record<Level, 'village' | 'commune' | 'district' | 'province'>> = {
  village: 'village',
  commune: 'commune',
  district: 'district',
  province: 'province',
};

export async function figuresOfUnits(c: KpiCollections, view: View, level: Level, unitKeys: readonly string[], period: string): Promise<UnitFigures[]> {
  const periodKind = requirePeriodKind(period);
  const keys = [...unitKeys];
  const values = new Map<string, Record<string, number>>(keys.map((k) => [k, {}]));
  const put = (unitKey: string, indicator: string, value: number) => {
    const record = values.get(unitKey);
    if (record && value !== 0) record[indicator] = value;
  };
  const ofUnits: mongo.Filter<FigureDoc> = { view, level, unitKey: { $in: keys }, periodKind };

  const [flows, stocks, targets] = await Promise.all([
    c.figures.find({ ...ofUnits, periodKey: period, indicator: { $in: FLOWS } }, { projection: { unitKey: 1, indicator: 1, value: 1 } }).toArray(),
    c.figures
      .aggregate<{ _id: { unitKey: string; indicator: string }; value: number }>([
        { $match: { ...ofUnits, periodKey: { $lte: period }, indicator: { $in: STOCKS } } },
        { $group: { _id: { unitKey: '$unitKey', indicator: '$indicator' }, value: { $sum: '$value' } } },
      ])
      .toArray(),
    c.targets.find({ unitKey: { $in: keys }, period }).toArray(),
  ]);
  for (const r of flows) put(r.unitKey, r.indicator, r.value);
  for (const r of stocks) put(r._id.unitKey, r._id.indicator, r.value);

  for (const covered of COVERED) {
    if (LEVEL_RANK[covered.childLevel] > LEVEL_RANK[level]) continue;
    const parentField = level === 'nation' ? undefined : level === covered.childLevel ? 'unitKey' : ANCESTOR_FIELD[level];
    if (level !== 'nation' && !parentField) continue;
    const match: mongo.Filter<FigureDoc> = { view, level: covered.childLevel, periodKind, ...(parentField ? { [parentField]: { $in: keys } } : {}) };
    const byChild = { parent: parentField ? `$${parentField}` : NATION_KEY, child: '$unitKey' };
    const pipeline: mongo.Document[] =
      covered.when === 'active'
        ? [{ $match: { ...match, periodKey: period, indicator: 'active-teams', value: { $gt: 0 } } }, { $group: { _id: byChild } }]
        : [
            { $match: { ...match, periodKey: { $lte: period }, indicator: 'teams-registered' } },
            { $group: { _id: byChild, value: { $sum: '$value' } } },
            { $match: { value: { $gt: 0 } } },
          ];
    pipeline.push({ $group: { _id: '$_id.parent', value: { $sum: 1 } } });
    for (const r of await c.figures.aggregate<{ _id: string; value: number }>(pipeline).toArray()) put(r._id, covered.code, r.value);
  }

  const targetsOf = new Map<string, Record<string, number>>(keys.map((k) => [k, {}]));
  for (const t of targets) {
    const record = targetsOf.get(t.unitKey);
    if (record) record[t.indicator] = t.value;
  }
  return keys.map((unitKey) => ({ unitKey, values: values.get(unitKey) ?? {}, targets: targetsOf.get(unitKey) ?? {} }));
}

export async function childrenOfUnit(c: KpiCollections, view: View, level: Level, unitKey: string, childLevel: Level, period: string): Promise<string[]> {
  const periodKind = requirePeriodKind(period);
  const ancestor = ANCESTOR_FIELD[level];
  const under = level === 'nation' ? {} : level === childLevel ? { unitKey } : ancestor ? { [ancestor]: unitKey } : undefined;
  if (!under) return [];
  const keys = (await c.figures.distinct('unitKey', { view, level: childLevel, periodKind, periodKey: { $lte: period }, ...under })) as string[];
  return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * `figuresUnder` on MongoDB: one find over the unit's rows of every period asked (flows at the period,
 * stocks up to it), summed per period here; then, when targets are asked, one find for the units found.
 */
export async function figuresUnderParent(c: KpiCollections, query: FiguresUnderQuery): Promise<FiguresUnder> {
  const plan = planFiguresUnder(query);
  const { periods, flows, stocks } = plan;
  const answer = emptyFiguresUnder(plan);
  const { level: parentLevel, unitKey: parentKey } = query.under;
  const ancestor = LEVEL_RANK[parentLevel] > LEVEL_RANK[query.level] ? ANCESTOR_FIELD[parentLevel] : undefined;
  const under = parentLevel === 'nation' ? {} : parentLevel === query.level ? { unitKey: parentKey } : ancestor ? { [ancestor]: parentKey } : undefined;
  if (!under || periods.length === 0 || flows.length + stocks.length === 0) return answer;
  const wanted: mongo.Filter<FigureDoc>[] = periods.flatMap(({ kind, key }) => [
    ...(flows.length > 0 ? [{ periodKind: kind, periodKey: key, indicator: { $in: flows } }] : []),
    ...(stocks.length > 0 ? [{ periodKind: kind, periodKey: { $lte: key }, indicator: { $in: stocks } }] : []),
  ]);
  const docs = await c.figures
    .find({ view: query.view, level: query.level, ...under, $or: wanted }, { projection: { _id: 0, unitKey: 1, periodKind: 1, periodKey: 1, indicator: 1, value: 1 } })
    .toArray();
  const flowSet = new Set(flows);
  const width = plan.indicators.length;
  const position = new Map(plan.indicators.map((code, i) => [code, i]));
  const sums = new Map<string, UnitFiguresUnder>();
  for (const doc of docs) {
    const i = position.get(doc.indicator) as number;
    const flow = flowSet.has(doc.indicator);
    periods.forEach(({ kind, key }, p) => {
      if (doc.periodKind !== kind || (flow ? doc.periodKey !== key : doc.periodKey > key)) return;
      let unit = sums.get(doc.unitKey);
      if (!unit) sums.set(doc.unitKey, (unit = blankUnit(answer, doc.unitKey)));
      unit.values[p * width + i] += doc.value;
    });
  }
  for (const unit of sums.values()) if (unit.values.some((value) => value !== 0)) answer.units.push(unit);
  const targetCodes = plan.targetIndicators;
  if (targetCodes.length === 0 || answer.units.length === 0) return answer;
  const byKey = new Map(answer.units.map((unit) => [unit.unitKey, unit]));
  const periodAt = new Map(answer.periods.map((key, p) => [key, p]));
  const targetAt = new Map(targetCodes.map((code, i) => [code, i]));
  const found = await c.targets.find({ unitKey: { $in: [...byKey.keys()] }, period: { $in: answer.periods }, indicator: { $in: targetCodes } }).toArray();
  for (const t of found) {
    const unit = byKey.get(t.unitKey);
    const p = periodAt.get(t.period);
    const i = targetAt.get(t.indicator);
    if (unit && p !== undefined && i !== undefined) unit.targets[p * targetCodes.length + i] = t.value;
  }
  return answer;
}
