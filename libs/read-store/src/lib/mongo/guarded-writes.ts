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
  type Placement,
  type RefDelta,
  type TargetSet,
  type TeamRecord,
} from '@cdt/domain-kpi';
import type { BatchPosition } from './batch-position';
import type { FigureDoc, KpiCollections, RefDoc, TargetDoc, TeamDoc } from './mongo-documents';

/**
 * Writes one batch's deltas with the batch's end `at` as every document's high-water mark. Each
 * update's filter requires `appliedUpTo < at`: a document this batch already changed is skipped, so
 * running this twice (or finishing a run that crashed half-way) gives the result of running it once.
 * See docs/adr/0004-kpi-read-models.md, "MongoDB", for why the distinct counts stay exact.
 *
 * Every document is read first, by `_id`: one absent is inserted whole (a duplicate key means another
 * attempt at this same batch inserted it: done), one already at `at` is left alone, and only one behind
 * `at` gets the guarded update. The outcome is the same as a guarded upsert of each, but a new document
 * costs an index probe instead of a query: mongo-java-server (the test engine) serves only a filter
 * on `_id` alone from an index, so a guarded filter scans the collection, and a batch of mostly new
 * documents took minutes there (docs/adr/0007-kafka-event-bus.md, "MongoDB").
 */
export async function writeGuarded(c: KpiCollections, deltas: KpiDeltas, at: BatchPosition): Promise<void> {
  const refs = mergeRefs(deltas.refs);
  const teams = new Map(deltas.teams.map((team) => [team.teamId, team]));
  const targets = lastTargets(deltas.targets);
  const figures = mergeCounts(deltas.counts);
  const [refsBefore, teamsBefore, targetsBefore] = await Promise.all([
    findByIds(c.refs, [...refs.keys()]),
    findByIds(c.teams, [...teams.keys()]),
    findByIds(c.targets, [...targets.keys()]),
  ]);
  for (const [id, ref] of refs) {
    const old = refcountBefore(refsBefore.get(id), at);
    addFigure(figures, ref, Number(old + ref.delta > 0) - Number(old > 0), ref);
  }
  const figuresBefore = await findByIds(c.figures, [...figures.keys()]);
  await Promise.all([
    bulk(c.refs, [...refs].flatMap(([id, ref]) => refWrite(id, ref, refsBefore.get(id), at))),
    bulk(c.figures, [...figures].flatMap(([id, figure]) => figureWrite(id, figure, figuresBefore.get(id), at))),
    bulk(c.targets, [...targets].flatMap(([id, target]) => targetWrite(id, target, targetsBefore.get(id), at))),
    bulk(c.teams, [...teams.values()].flatMap((team) => teamWrite(team, teamsBefore.get(team.teamId), at))),
    // An id applied by an earlier batch keeps that batch's position.
    bulk(c.applied, [...new Set(deltas.appliedEventIds)].map((eventId) => ({ updateOne: { filter: { _id: eventId }, update: { $setOnInsert: { at } }, upsert: true } }))),
  ]);
}

type Write<T extends mongo.Document> = mongo.AnyBulkWriteOperation<T>[];

/** This batch already wrote it (an earlier attempt): nothing to do. */
export const done = (doc: { appliedUpTo: BatchPosition } | undefined, at: BatchPosition): boolean => doc !== undefined && doc.appliedUpTo >= at;

const teamWrite = (team: TeamRecord, before: TeamDoc | undefined, at: BatchPosition): Write<TeamDoc> => {
  if (done(before, at)) return [];
  if (!before) return [{ insertOne: { document: { _id: team.teamId, record: team, appliedUpTo: at } } }];
  return [{ updateOne: { filter: { _id: team.teamId, appliedUpTo: { $lt: at } }, update: { $set: { record: team, prev: before.record, appliedUpTo: at } } } }];
};

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

const refWrite = (id: string, ref: RefDelta, before: RefDoc | undefined, at: BatchPosition): Write<RefDoc> => {
  if (done(before, at)) return [];
  if (!before) {
    const document: RefDoc = { _id: id, ...figureKeyOf(ref), subject: ref.subject, count: ref.delta, lastDelta: ref.delta, appliedUpTo: at, created: at };
    return [{ insertOne: { document } }];
  }
  return [{ updateOne: { filter: { _id: id, appliedUpTo: { $lt: at } }, update: { $inc: { count: ref.delta }, $set: { lastDelta: ref.delta, appliedUpTo: at } } } }];
};

const PLACEMENT_FIELDS = ['village', 'commune', 'district', 'province'] as const;
type PlacementField = (typeof PLACEMENT_FIELDS)[number];

/** A placement as document fields: those it has (`$set`, or a new document's) and those to remove (`$unset`). */
export const placementFields = (of: Placement): { placement: Partial<Record<PlacementField, string>>; absent: Partial<Record<PlacementField, ''>> } => {
  const placement: Partial<Record<PlacementField, string>> = {};
  const absent: Partial<Record<PlacementField, ''>> = {};
  for (const field of PLACEMENT_FIELDS) {
    const value = of[field];
    if (value === undefined) absent[field] = '';
    else placement[field] = value;
  }
  return { placement, absent };
};

/**
 * The placement resolved for the latest day wins (as in the reference model). The document read
 * before says which update applies; the filter says it again (`placedOn`), so an update that no
 * longer fits matches nothing rather than the wrong thing (mongo-java-server has no pipeline updates).
 */
const figureWrite = (id: string, figure: MergedFigure, before: FigureDoc | undefined, at: BatchPosition): Write<FigureDoc> => {
  if (done(before, at)) return [];
  const { placement, absent } = placementFields(figure.placement);
  if (!before) {
    const document: FigureDoc = { _id: id, ...figure.key, value: figure.delta, lastDelta: figure.delta, appliedUpTo: at, created: at, placedOn: figure.placedOn, ...placement };
    return [{ insertOne: { document } }];
  }
  if (before.placedOn > figure.placedOn) {
    return [
      {
        updateOne: {
          filter: { _id: id, appliedUpTo: { $lt: at }, placedOn: { $gt: figure.placedOn } },
          update: { $inc: { value: figure.delta }, $set: { lastDelta: figure.delta, appliedUpTo: at } },
        },
      },
    ];
  }
  const unset = Object.keys(absent).length > 0 ? { $unset: absent } : {};
  return [
    {
      updateOne: {
        filter: { _id: id, appliedUpTo: { $lt: at }, placedOn: { $lte: figure.placedOn } },
        update: { $inc: { value: figure.delta }, $set: { lastDelta: figure.delta, appliedUpTo: at, placedOn: figure.placedOn, ...placement }, ...unset },
      },
    },
  ];
};

/** In log order: the last assignment for a key wins, and a guarded document takes one write per batch. */
export const lastTargets = (targets: readonly TargetSet[]): Map<string, TargetSet> => new Map(targets.map((t) => [`${t.unitKey}|${t.indicator}|${t.period}`, t]));

export const targetWrite = (id: string, t: TargetSet, before: TargetDoc | undefined, at: BatchPosition): Write<TargetDoc> => {
  if (done(before, at)) return [];
  if (!before) return [{ insertOne: { document: { _id: id, unitKey: t.unitKey, indicator: t.indicator, period: t.period, value: t.value, appliedUpTo: at } } }];
  return [{ updateOne: { filter: { _id: id, appliedUpTo: { $lt: at } }, update: { $set: { value: t.value, appliedUpTo: at } } } }];
};

const DUPLICATE_KEY = 11000;
const IDS_PER_QUERY = 10_000;

export async function findByIds<T extends { _id: string }>(collection: mongo.Collection<T>, ids: readonly string[]): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const filter = { _id: { $in: ids.slice(i, i + IDS_PER_QUERY) } } as mongo.Filter<T>;
    for (const doc of (await collection.find(filter).toArray()) as T[]) found.set(doc._id, doc);
  }
  return found;
}

/**
 * Write commands of at most this many operations. mongo-java-server runs a command to its end on a
 * network thread that other connections share, the driver's server monitor among them; one command
 * of tens of thousands of guarded updates kept its `hello` unanswered past the 30 s connect timeout,
 * and the driver then interrupted every operation in flight ("interrupted due to server monitor
 * timeout"), failing the batch. On MongoDB proper the extra round trips are noise beside the writes.
 */
const OPERATIONS_PER_COMMAND = 2_000;

/**
 * Unordered bulk write, in commands of OPERATIONS_PER_COMMAND. An insert of a document another attempt
 * at this batch created meanwhile fails on its `_id`: that duplicate-key error means "already done".
 */
export async function bulk<T extends mongo.Document>(collection: mongo.Collection<T>, operations: mongo.AnyBulkWriteOperation<T>[]): Promise<void> {
  for (let i = 0; i < operations.length; i += OPERATIONS_PER_COMMAND) {
    try {
      await collection.bulkWrite(operations.slice(i, i + OPERATIONS_PER_COMMAND), { ordered: false });
    } catch (error) {
      if (!(error instanceof mongo.MongoBulkWriteError)) throw error;
      const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      const real = errors.filter((e) => e.code !== DUPLICATE_KEY);
      if (errors.length === 0 || real.length > 0) throw error;
    }
  }
}
