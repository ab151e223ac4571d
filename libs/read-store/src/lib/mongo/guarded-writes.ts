import { mongo } from 'mongoose';
import {
  figureKeyOf,
  figureKeyString,
  laterPlaced,
  refKeyString,
  type CountDelta,
  type FigureKey,
  type KpiDeltas,
  type Placed,
  type RefDelta,
} from '@cdt/domain-kpi';
import type { BatchPosition } from './batch-position';
import type { FigureDoc, KpiCollections, RefDoc, TargetDoc, TeamDoc } from './mongo-documents';

/**
 * Writes one batch's deltas with the batch's end `at` as every document's high-water mark. Each
 * update's filter requires `appliedUpTo < at`: a document this batch already changed is skipped, so
 * running this twice (or finishing a run that crashed half-way) gives the result of running it once.
 * See docs/adr/0004-kpi-read-models.md, "MongoDB", for why the distinct counts stay exact.
 */
export async function writeGuarded(c: KpiCollections, deltas: KpiDeltas, at: BatchPosition): Promise<void> {
  const refs = mergeRefs(deltas.refs);
  const teamIds = [...new Set(deltas.teams.map((t) => t.teamId))];
  const [refsBefore, teamsBefore] = await Promise.all([
    findByIds(c.refs, [...refs.keys()]),
    findByIds(c.teams, teamIds),
  ]);
  const figures = mergeCounts(deltas.counts);
  for (const [id, ref] of refs) {
    const old = refcountBefore(refsBefore.get(id), at);
    addFigure(figures, ref, Number(old + ref.delta > 0) - Number(old > 0), ref);
  }
  await Promise.all([
    bulk(c.refs, [...refs].map(([id, ref]) => refUpdate(id, ref, at))),
    bulk(c.figures, [...figures].flatMap(([id, figure]) => figureUpdates(id, figure, at))),
    bulk(c.targets, targetUpdates(deltas, at)),
    bulk(c.teams, deltas.teams.map((team): mongo.AnyBulkWriteOperation<TeamDoc> => {
      const prev = teamsBefore.get(team.teamId)?.record;
      return {
        updateOne: {
          filter: { _id: team.teamId, appliedUpTo: { $lt: at } },
          update: prev ? { $set: { record: team, prev, appliedUpTo: at } } : { $set: { record: team, appliedUpTo: at }, $unset: { prev: '' } },
          upsert: true,
        },
      };
    })),
    // An id applied by an earlier batch keeps that batch's position.
    bulk(c.applied, [...new Set(deltas.appliedEventIds)].map((eventId) => ({ updateOne: { filter: { _id: eventId }, update: { $setOnInsert: { at } }, upsert: true } }))),
  ]);
}

/**
 * The refcount before the batch ending at `at`. If this batch already wrote the document (a crash
 * after the refcount write, before the figure's), its `lastDelta` is this batch's delta: subtracting
 * it gives the same `old`, hence the same 0 ↔ positive crossing, on every attempt.
 */
const refcountBefore = (doc: RefDoc | undefined, at: BatchPosition): number => {
  if (!doc) return 0;
  return doc.appliedUpTo === at ? doc.count - doc.lastDelta : doc.count;
};

interface MergedFigure extends Placed {
  key: FigureKey;
  delta: number;
}

/** One update per document: a guarded document can be written once per batch. */
const addFigure = (figures: Map<string, MergedFigure>, key: FigureKey, delta: number, placed: Placed): void => {
  const id = figureKeyString(key);
  const current = figures.get(id);
  const { placement, placedOn } = laterPlaced(current, placed);
  figures.set(id, { key: current?.key ?? figureKeyOf(key), delta: (current?.delta ?? 0) + delta, placement, placedOn });
};

const mergeCounts = (counts: readonly CountDelta[]): Map<string, MergedFigure> => {
  const figures = new Map<string, MergedFigure>();
  for (const count of counts) addFigure(figures, count, count.delta, count);
  return figures;
};

const mergeRefs = (refs: readonly RefDelta[]): Map<string, RefDelta> => {
  const merged = new Map<string, RefDelta>();
  for (const ref of refs) {
    const id = refKeyString(ref);
    const current = merged.get(id);
    merged.set(id, current ? { ...ref, ...laterPlaced(current, ref), delta: current.delta + ref.delta } : ref);
  }
  return merged;
};

const refUpdate = (id: string, ref: RefDelta, at: BatchPosition): mongo.AnyBulkWriteOperation<RefDoc> => ({
  updateOne: {
    filter: { _id: id, appliedUpTo: { $lt: at } },
    update: {
      $inc: { count: ref.delta },
      $set: { lastDelta: ref.delta, appliedUpTo: at },
      $setOnInsert: { ...figureKeyOf(ref), subject: ref.subject, created: at },
    },
    upsert: true,
  },
});

const PLACEMENT_FIELDS = ['village', 'commune', 'district', 'province'] as const;

/**
 * Two updates of which at most one matches: the placement resolved for the latest day wins (as in
 * the reference model), decided in the filter because mongo-java-server has no pipeline updates.
 */
const figureUpdates = (id: string, figure: MergedFigure, at: BatchPosition): mongo.AnyBulkWriteOperation<FigureDoc>[] => {
  const placement: Partial<Record<(typeof PLACEMENT_FIELDS)[number], string>> = {};
  const absent: Partial<Record<(typeof PLACEMENT_FIELDS)[number], ''>> = {};
  for (const field of PLACEMENT_FIELDS) {
    const value = figure.placement[field];
    if (value === undefined) absent[field] = '';
    else placement[field] = value;
  }
  const unset = Object.keys(absent).length > 0 ? { $unset: absent } : {};
  return [
    {
      updateOne: {
        filter: { _id: id, appliedUpTo: { $lt: at }, placedOn: { $lte: figure.placedOn } },
        update: {
          $inc: { value: figure.delta },
          $set: { lastDelta: figure.delta, appliedUpTo: at, placedOn: figure.placedOn, ...placement },
          ...unset,
          $setOnInsert: { ...figure.key, created: at },
        },
        upsert: true,
      },
    },
    {
      updateOne: {
        filter: { _id: id, appliedUpTo: { $lt: at }, placedOn: { $gt: figure.placedOn } },
        update: { $inc: { value: figure.delta }, $set: { lastDelta: figure.delta, appliedUpTo: at } },
      },
    },
  ];
};

const targetUpdates = ({ targets }: KpiDeltas, at: BatchPosition): mongo.AnyBulkWriteOperation<TargetDoc>[] => {
  // In log order: the last assignment for a key wins, and a guarded document takes one write per batch.
  const last = new Map(targets.map((t) => [`${t.unitKey}|${t.indicator}|${t.period}`, t]));
  return [...last].map(([id, t]) => ({
    updateOne: {
      filter: { _id: id, appliedUpTo: { $lt: at } },
      update: { $set: { value: t.value, appliedUpTo: at }, $setOnInsert: { unitKey: t.unitKey, indicator: t.indicator, period: t.period } },
      upsert: true,
    },
  }));
};

const DUPLICATE_KEY = 11000;
const IDS_PER_QUERY = 10_000;

async function findByIds<T extends { _id: string }>(collection: mongo.Collection<T>, ids: readonly string[]): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const filter = { _id: { $in: ids.slice(i, i + IDS_PER_QUERY) } } as mongo.Filter<T>;
    for (const doc of (await collection.find(filter).toArray()) as T[]) found.set(doc._id, doc);
  }
  return found;
}

/**
 * Unordered bulk write. A guarded upsert whose document this batch already changed does not match
 * its filter and so tries to insert the same `_id`: that duplicate-key error means "already done".
 */
async function bulk<T extends mongo.Document>(collection: mongo.Collection<T>, operations: mongo.AnyBulkWriteOperation<T>[]): Promise<void> {
  if (operations.length === 0) return;
  try {
    await collection.bulkWrite(operations, { ordered: false });
  } catch (error) {
    if (!(error instanceof mongo.MongoBulkWriteError)) throw error;
    const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    const real = errors.filter((e) => e.code !== DUPLICATE_KEY);
    if (errors.length === 0 || real.length > 0) throw error;
  }
}
