import type { mongo } from 'mongoose';
import { STORED_INDICATOR_CODES, type Fact, type Level, type Model2Team, type Placement, type StockFact, type View, type WideCell } from '@cdt/domain-kpi';
import type { PeriodKind } from '@cdt/domain-shared';
import type { BatchPosition } from '../mongo/batch-position';
import type { AppliedEventDoc, CheckpointDoc, JournalDoc, TargetDoc } from '../mongo/mongo-documents';

/**
 * The documents of one KPI model-2 version on MongoDB (ADR 0010, step 3). As in model 1 (ADR 0004,
 * "MongoDB"), every document a batch changes carries the batch's end (`appliedUpTo`), so a batch
 * completed again after a crash skips what it already wrote, and keeps what the model held before that
 * batch (`prev`, `created`), so the projector's reads answer as at the checkpoint while it is unfinished.
 */

/** A fact's fields without its id (the document's `_id`), and its place in write order. */
export type StoredFact = Omit<Fact, 'activityId'> & {
  /** `<batch end>#<index in the batch>`: sorts as the facts were first written (a fact put again while live keeps it). */
  order: string;
};

/**
 * One activity's fact, by activity id. A retraction does not delete the document: it sets `fact` to null
 * (a tombstone that keeps `appliedUpTo`), so a completer replaying an older insert of the same id is
 * refused by the guard instead of bringing the fact back. Tombstones are never purged: a writer of an
 * older batch (its first attempt, or a completer that read its journal, stalled while it was pending) can still issue its
 * inserts after later batches committed, and nothing in the protocol bounds how late; once its tombstone
 * is gone the insert finds no document and succeeds (ADR 0010, "MongoDB: why tombstones stay").
 */
export interface FactDoc {
  _id: string;
  fact: StoredFact | null;
  /** The fact before the batch `appliedUpTo` (null: absent or retracted then). */
  prev: StoredFact | null;
  appliedUpTo: BatchPosition;
}

/** A registry stock change, `_id` `<event id>#<n-th of that event>`: inserted once, never changed. */
export interface StockFactDoc extends StockFact {
  _id: string;
  order: string;
  /** End of the batch that wrote it (it is not part of the model as at an earlier checkpoint). */
  created: BatchPosition;
}

/**
 * A materialised wide cell: its count and stock values as one vector, `v[i]` the value of
 * `STORED_INDICATOR_CODES[i]` (codes hold dots, so they cannot be field names; distinct slots stay 0;
 * a vector written before the catalog grew reads its missing slots as 0), placement of its latest day.
 */
export interface CellDoc {
  _id: string;
  view: View;
  level: Level;
  unitKey: string;
  periodKind: PeriodKind;
  periodKey: string;
  v: (number | null)[];
  village?: string;
  commune?: string;
  district?: string;
  province?: string;
  placedOn: string;
  appliedUpTo: BatchPosition;
}

/** The cell as the domain's rows builder takes it: values by indicator code, placement without absent fields. */
export const wideCellOf = (doc: CellDoc): WideCell => {
  const placement: Record<string, string> = {};
  for (const field of ['village', 'commune', 'district', 'province'] as const) {
    const value = doc[field];
    if (value !== undefined) placement[field] = value;
  }
  const values: Record<string, number> = {};
  doc.v.forEach((value, i) => (values[STORED_INDICATOR_CODES[i]] = value ?? 0));
  const { view, level, unitKey, periodKind, periodKey, placedOn } = doc;
  return { view, level, unitKey, periodKind, periodKey, placement: placement as Placement, placedOn, values };
};

export interface Model2TeamDoc {
  _id: string;
  record: Model2Team;
  /** The record before the batch `appliedUpTo` (absent when that batch introduced the team). */
  prev?: Model2Team;
  appliedUpTo: BatchPosition;
}

export interface Model2Collections {
  facts: mongo.Collection<FactDoc>;
  stockFacts: mongo.Collection<StockFactDoc>;
  cells: mongo.Collection<CellDoc>;
  targets: mongo.Collection<TargetDoc>;
  teams: mongo.Collection<Model2TeamDoc>;
  applied: mongo.Collection<AppliedEventDoc>;
  checkpoint: mongo.Collection<CheckpointDoc>;
  journal: mongo.Collection<JournalDoc>;
}

/** `<schema>.<name>` (`kpi2_v1.facts`, …): one model version's collections side by side. */
export const model2Collections = (db: mongo.Db, schema: string): Model2Collections => ({
  facts: db.collection<FactDoc>(`${schema}.facts`),
  stockFacts: db.collection<StockFactDoc>(`${schema}.stock_facts`),
  cells: db.collection<CellDoc>(`${schema}.cells`),
  targets: db.collection<TargetDoc>(`${schema}.targets`),
  teams: db.collection<Model2TeamDoc>(`${schema}.teams`),
  applied: db.collection<AppliedEventDoc>(`${schema}.applied_events`),
  checkpoint: db.collection<CheckpointDoc>(`${schema}.checkpoint`),
  journal: db.collection<JournalDoc>(`${schema}.journal`),
});

/** The queries read facts by scope and day, stock facts by team or commune, cells by view, kind and placement. */
export async function ensureModel2Indexes(c: Model2Collections): Promise<void> {
  await Promise.all([
    c.facts.createIndex({ 'fact.teamId': 1, 'fact.day': 1 }),
    c.facts.createIndex({ 'fact.communeCode': 1, 'fact.day': 1 }),
    c.facts.createIndex({ 'fact.provinceCode': 1, 'fact.day': 1 }),
    c.facts.createIndex({ 'prev.teamId': 1 }, { partialFilterExpression: { 'prev.teamId': { $exists: true } } }),
    c.stockFacts.createIndex({ teamId: 1, day: 1 }),
    c.stockFacts.createIndex({ communeCode: 1, day: 1 }),
    c.cells.createIndex({ view: 1, periodKind: 1, level: 1, unitKey: 1, periodKey: 1 }),
    ...(['village', 'commune', 'district', 'province'] as const).map((ancestor) =>
      c.cells.createIndex({ view: 1, periodKind: 1, level: 1, [ancestor]: 1, periodKey: 1 }, { partialFilterExpression: { [ancestor]: { $exists: true } } }),
    ),
    c.targets.createIndex({ unitKey: 1, period: 1 }),
    c.journal.createIndex({ end: 1, seq: 1 }),
  ]);
}
