import type { mongo } from 'mongoose';
import type { Level, TeamRecord, View } from '@cdt/domain-kpi';
import type { PeriodKind } from '@cdt/domain-shared';
import type { BatchPosition } from './batch-position';

/**
 * The documents of one model version. Every document a batch changes carries the batch's end
 * (`appliedUpTo`) and what that batch changed (`lastDelta` or `prev`), so a batch re-applied after a
 * crash skips what it already did, and the projector can still read the model as at the checkpoint
 * while a batch is unfinished.
 */

interface Guarded {
  /** End of the last batch applied to this document. */
  appliedUpTo: BatchPosition;
  /** End of the batch that created it (it did not exist at any checkpoint before). */
  created: BatchPosition;
}

interface FigureFields {
  view: View;
  level: Level;
  unitKey: string;
  periodKind: PeriodKind;
  periodKey: string;
  indicator: string;
}

/** A count, stock or distinct count. `_id` is `figureKeyString` of the key. */
export interface FigureDoc extends FigureFields, Guarded {
  _id: string;
  value: number;
  /** What the batch `appliedUpTo` added to `value`. */
  lastDelta: number;
  village?: string;
  commune?: string;
  district?: string;
  province?: string;
  placedOn: string;
}

/** A subject's refcount under a distinct indicator. `_id` is `refKeyString` of the key. */
export interface RefDoc extends FigureFields, Guarded {
  _id: string;
  subject: string;
  count: number;
  /** What the batch `appliedUpTo` added to `count`. */
  lastDelta: number;
}

export interface TargetDoc {
  _id: string;
  unitKey: string;
  indicator: string;
  period: string;
  value: number;
  appliedUpTo: BatchPosition;
}

export interface TeamDoc {
  _id: string;
  record: TeamRecord;
  /** The record before the batch `appliedUpTo` (absent when that batch introduced the team). */
  prev?: TeamRecord;
  appliedUpTo: BatchPosition;
}

/** An event id taken into account by the batch ending at `at`. */
export interface AppliedEventDoc {
  _id: string;
  at: BatchPosition;
}

/** A batch being written: its deltas are in the journal, so whoever finds it unfinished completes it. */
export interface PendingBatch {
  end: BatchPosition;
  transactionId: string;
  globalPosition: string;
  chunks: number;
  /** sha-256 of the journal text: a redelivered batch with other deltas is not this batch. */
  digest: string;
}

export interface CheckpointDoc {
  _id: 'checkpoint';
  transactionId?: string;
  globalPosition?: string;
  at?: BatchPosition;
  pending?: PendingBatch;
}

export interface JournalDoc {
  _id: string;
  end: BatchPosition;
  seq: number;
  text: string;
}

export interface KpiCollections {
  figures: mongo.Collection<FigureDoc>;
  refs: mongo.Collection<RefDoc>;
  targets: mongo.Collection<TargetDoc>;
  teams: mongo.Collection<TeamDoc>;
  applied: mongo.Collection<AppliedEventDoc>;
  checkpoint: mongo.Collection<CheckpointDoc>;
  journal: mongo.Collection<JournalDoc>;
}

/** `<schema>.<name>`: one model version's collections side by side, like the SQL schema `kpi_v1`. */
export const kpiCollections = (db: mongo.Db, schema: string): KpiCollections => ({
  figures: db.collection<FigureDoc>(`${schema}.figures`),
  refs: db.collection<RefDoc>(`${schema}.refs`),
  targets: db.collection<TargetDoc>(`${schema}.targets`),
  teams: db.collection<TeamDoc>(`${schema}.teams`),
  applied: db.collection<AppliedEventDoc>(`${schema}.applied_events`),
  checkpoint: db.collection<CheckpointDoc>(`${schema}.checkpoint`),
  journal: db.collection<JournalDoc>(`${schema}.journal`),
});

/** For the query methods and the projector's reads (see the ADR for which query uses which). */
export async function ensureKpiIndexes(c: KpiCollections): Promise<void> {
  await Promise.all([
    c.figures.createIndex({ view: 1, level: 1, unitKey: 1, periodKind: 1, periodKey: 1, indicator: 1 }),
    ...(['village', 'commune', 'district', 'province'] as const).map((ancestor) =>
      c.figures.createIndex({ view: 1, level: 1, periodKind: 1, [ancestor]: 1, periodKey: 1 }, { partialFilterExpression: { [ancestor]: { $exists: true } } }),
    ),
    c.refs.createIndex({ view: 1, level: 1, unitKey: 1 }),
    c.targets.createIndex({ unitKey: 1, period: 1 }),
    c.journal.createIndex({ end: 1, seq: 1 }),
  ]);
}

/** Whether the document was changed after the checkpoint (by the unfinished batch). */
export const changedAfter = (appliedUpTo: BatchPosition, checkpoint: BatchPosition | undefined): boolean =>
  checkpoint === undefined || appliedUpTo > checkpoint;

/** The ids among `eventIds` that were applied as at the checkpoint `at`. */
export async function appliedAsAt(applied: mongo.Collection<AppliedEventDoc>, eventIds: readonly string[], at: BatchPosition | undefined): Promise<Set<string>> {
  const docs = await applied.find({ _id: { $in: [...eventIds] } }).toArray();
  return new Set(docs.filter((d) => !changedAfter(d.at, at)).map((d) => d._id));
}

/** A team document of either model: the record and, while the batch that changed it is unfinished, the one before. */
interface TeamRecordDoc<R> {
  _id: string;
  record: R;
  prev?: R;
  appliedUpTo: BatchPosition;
}

/** The team records as at the checkpoint `at`: one an unfinished batch changed reads as before it (or not at all, if it introduced the team). */
export async function teamsAsAt<R>(teams: mongo.Collection<TeamRecordDoc<R>>, at: BatchPosition | undefined): Promise<R[]> {
  const records: R[] = [];
  for (const doc of (await teams.find({}).toArray()) as TeamRecordDoc<R>[]) {
    const record = changedAfter(doc.appliedUpTo, at) ? doc.prev : doc.record;
    if (record) records.push(record);
  }
  return records;
}
