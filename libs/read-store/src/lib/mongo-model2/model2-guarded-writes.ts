import type { mongo } from 'mongoose';
import { STORED_INDICATOR_CODES, cellKeyString, laterPlaced, type Fact, type Model2Deltas, type Model2Team, type Placed, type WideCellDelta } from '@cdt/domain-kpi';
import type { BatchPosition } from '../mongo/batch-position';
import { bulk, done, findByIds, lastTargets, placementFields, targetWrite } from '../mongo/guarded-writes';
import type { CellDoc, FactDoc, Model2Collections, Model2TeamDoc, StockFactDoc, StoredFact } from './model2-documents';

/**
 * Writes one model-2 batch with its end `at` as every document's high-water mark (model 1's guard, ADR
 * 0004 "MongoDB"): each document is read first by `_id`; one absent is inserted whole (a duplicate key
 * means another attempt at this batch inserted it), one already at `at` is left alone, and one behind
 * gets an update whose filter repeats `appliedUpTo < at`. Running this twice, or finishing a run cut
 * anywhere, gives the result of one run. Distinct counts are not stored, so no write depends on another.
 */
export async function writeModel2Guarded(c: Model2Collections, deltas: Model2Deltas, at: BatchPosition): Promise<void> {
  const facts = finalFacts(deltas);
  const cells = mergeCells(deltas.cells);
  const teams = new Map(deltas.teams.map((team) => [team.teamId, team]));
  const targets = lastTargets(deltas.targets);
  const [factsBefore, cellsBefore, teamsBefore, targetsBefore] = await Promise.all([
    findByIds(c.facts, [...facts.keys()]),
    findByIds(c.cells, [...cells.keys()]),
    findByIds(c.teams, [...teams.keys()]),
    findByIds(c.targets, [...targets.keys()]),
  ]);
  await Promise.all([
    bulk(c.facts, [...facts].flatMap(([id, put]) => factWrite(id, put, factsBefore.get(id), at))),
    bulk(c.stockFacts, stockInserts(deltas, at)),
    bulk(c.cells, [...cells].flatMap(([id, cell]) => cellWrite(id, cell, cellsBefore.get(id), at))),
    bulk(c.teams, [...teams.values()].flatMap((team) => teamWrite(team, teamsBefore.get(team.teamId), at))),
    bulk(c.targets, [...targets].flatMap(([id, target]) => targetWrite(id, target, targetsBefore.get(id), at))),
    // An id applied by an earlier batch keeps that batch's position.
    bulk(c.applied, [...new Set(deltas.appliedEventIds)].map((eventId) => ({ updateOne: { filter: { _id: eventId }, update: { $setOnInsert: { at } }, upsert: true } }))),
  ]);
}

type Write<T extends mongo.Document> = mongo.AnyBulkWriteOperation<T>[];

/** `<end>#<index>`, zero-padded: sorts by batch, then by place in the batch. */
const orderOf = (at: BatchPosition, index: number): string => `${at}#${String(index).padStart(9, '0')}`;

interface FactPut {
  /** The fact to store, or null when the batch retracts it. */
  fact: Fact | null;
  /** Its first place among the batch's inserts (a fact put twice keeps it, as a Map entry does). */
  index: number;
}

/** Each activity id's state after the batch: inserted in batch order, then deletions (as the SQL store does). */
const finalFacts = ({ factsInserted, factIdsDeleted }: Model2Deltas): Map<string, FactPut> => {
  const facts = new Map<string, FactPut>();
  factsInserted.forEach((fact, index) => facts.set(fact.activityId, { fact, index: facts.get(fact.activityId)?.index ?? index }));
  for (const id of factIdsDeleted) facts.set(id, { fact: null, index: facts.get(id)?.index ?? 0 });
  return facts;
};

/**
 * Without its undefined fields: the driver would store them as null, and a fact, stock fact or team read
 * back must equal the one written (the projector compares placements).
 */
const defined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

const stored = ({ activityId: _id, ...fields }: Fact, order: string): StoredFact => defined({ ...fields, order });

const factWrite = (id: string, put: FactPut, before: FactDoc | undefined, at: BatchPosition): Write<FactDoc> => {
  if (done(before, at)) return [];
  if (!before) return put.fact ? [{ insertOne: { document: { _id: id, fact: stored(put.fact, orderOf(at, put.index)), prev: null, appliedUpTo: at } } }] : [];
  // A fact put again while live keeps its place in write order; one put after its retraction is new.
  const fact = put.fact && stored(put.fact, before.fact?.order ?? orderOf(at, put.index));
  return [{ updateOne: { filter: { _id: id, appliedUpTo: { $lt: at } }, update: { $set: { fact, prev: before.fact, appliedUpTo: at } } } }];
};

/** `<event id>#<n>`: the n-th stock fact of that event in this batch, so a replay inserts the same ids. */
const stockInserts = ({ stockFacts }: Model2Deltas, at: BatchPosition): Write<StockFactDoc> => {
  const seen = new Map<string, number>();
  return stockFacts.map((stock, index) => {
    const n = seen.get(stock.eventId) ?? 0;
    seen.set(stock.eventId, n + 1);
    return { insertOne: { document: { ...defined(stock), _id: `${stock.eventId}#${n}`, order: orderOf(at, index), created: at } } };
  });
};

interface MergedCell extends Placed {
  key: WideCellDelta;
  values: Record<string, number>;
}

/** One update per cell: a guarded document takes one write per batch. */
const mergeCells = (deltas: readonly WideCellDelta[]): Map<string, MergedCell> => {
  const cells = new Map<string, MergedCell>();
  for (const delta of deltas) {
    const id = cellKeyString(delta);
    const current = cells.get(id);
    const values: Record<string, number> = { ...current?.values };
    for (const [code, value] of Object.entries(delta.values)) values[code] = (values[code] ?? 0) + value;
    cells.set(id, { key: current?.key ?? delta, values, ...laterPlaced(current, delta) });
  }
  return cells;
};

const SLOT = new Map(STORED_INDICATOR_CODES.map((code, i) => [code, i]));
const slotOf = (code: string): number => {
  const slot = SLOT.get(code);
  if (slot === undefined) throw new Error(`${code} is not a stored indicator`);
  return slot;
};

/**
 * values += delta; the placement of the latest day wins. The document read before says whether this
 * batch's placement replaces the stored one, and the filter repeats the condition (no pipeline updates on
 * mongo-java-server), so an update that no longer fits matches nothing.
 */
const cellWrite = (id: string, cell: MergedCell, before: CellDoc | undefined, at: BatchPosition): Write<CellDoc> => {
  if (done(before, at)) return [];
  const { placement, absent } = placementFields(cell.placement);
  const { view, level, unitKey, periodKind, periodKey } = cell.key;
  if (!before) {
    const v = STORED_INDICATOR_CODES.map(() => 0);
    for (const [code, value] of Object.entries(cell.values)) v[slotOf(code)] += value;
    const document: CellDoc = { _id: id, view, level, unitKey, periodKind, periodKey, v, placedOn: cell.placedOn, appliedUpTo: at, ...placement };
    return [{ insertOne: { document } }];
  }
  const inc: Record<string, number> = {};
  for (const [code, value] of Object.entries(cell.values)) inc[`v.${slotOf(code)}`] = (inc[`v.${slotOf(code)}`] ?? 0) + value;
  if (before.placedOn > cell.placedOn) {
    return [{ updateOne: { filter: { _id: id, appliedUpTo: { $lt: at }, placedOn: { $gt: cell.placedOn } }, update: { $inc: inc, $set: { appliedUpTo: at } } } }];
  }
  const unset = Object.keys(absent).length > 0 ? { $unset: absent } : {};
  return [
    {
      updateOne: {
        filter: { _id: id, appliedUpTo: { $lt: at }, placedOn: { $lte: cell.placedOn } },
        update: { $inc: inc, $set: { appliedUpTo: at, placedOn: cell.placedOn, ...placement }, ...unset },
      },
    },
  ];
};

const teamWrite = (team: Model2Team, before: Model2TeamDoc | undefined, at: BatchPosition): Write<Model2TeamDoc> => {
  if (done(before, at)) return [];
  if (!before) return [{ insertOne: { document: { _id: team.teamId, record: defined(team), appliedUpTo: at } } }];
  return [{ updateOne: { filter: { _id: team.teamId, appliedUpTo: { $lt: at } }, update: { $set: { record: defined(team), prev: before.record, appliedUpTo: at } } } }];
};
