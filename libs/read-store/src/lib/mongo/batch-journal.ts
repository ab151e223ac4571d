import { createHash } from 'node:crypto';
import { PERIOD_KINDS } from '@cdt/domain-shared';
import { LEVELS, VIEWS, type KpiDeltas } from '@cdt/domain-kpi';
import type { BatchPosition } from './batch-position';
import type { mongo } from 'mongoose';
import type { JournalDoc } from './mongo-documents';

/**
 * The write-ahead journal of the batch being written: its deltas as JSON text, in chunks well under
 * the 16 MB document limit. Whoever finds a batch unfinished (the same process retrying, or the next
 * one to open the store) completes it from here, with the very deltas the first attempt had.
 */

/** UTF-16 units per chunk: at most 3 bytes each in UTF-8, so a chunk stays under 7 MB. */
const CHUNK = 2_000_000;

export interface JournalText {
  text: string;
  digest: string;
  chunks: number;
}

/** Any JSON-serialisable deltas (model 1's or model 2's). */
export const journalText = (deltas: unknown): JournalText => {
  const text = JSON.stringify(deltas);
  return { text, digest: createHash('sha256').update(text).digest('hex'), chunks: Math.max(1, Math.ceil(text.length / CHUNK)) };
};

/** Replaces whatever journal is left (a finished batch's, or one that crashed before it was marked pending). */
export async function writeJournal(c: { journal: mongo.Collection<JournalDoc> }, end: BatchPosition, { text, chunks }: JournalText): Promise<void> {
  await c.journal.deleteMany({});
  const docs = Array.from({ length: chunks }, (_, seq) => ({ _id: `${end}#${seq}`, end, seq, text: text.slice(seq * CHUNK, (seq + 1) * CHUNK) }));
  await c.journal.insertMany(docs, { ordered: true });
}

/** The journaled deltas, or undefined when the journal is gone (someone else finished the batch). */
export async function readJournal<D = KpiDeltas>(c: { journal: mongo.Collection<JournalDoc> }, end: BatchPosition, chunks: number, digest: string): Promise<D | undefined> {
  const docs = await c.journal.find({ end }).sort({ seq: 1 }).toArray();
  if (docs.length !== chunks) return undefined;
  const text = docs.map((d) => d.text).join('');
  if (createHash('sha256').update(text).digest('hex') !== digest) throw new Error(`the journal of the batch ending at ${end} does not match its digest`);
  return JSON.parse(text) as D;
}

/**
 * Checks a batch before anything is written. Without transactions a batch the database refuses
 * half-way would stay half-written; refusing it up front keeps "nothing written" true for bad input,
 * and a journaled batch is one every later attempt can complete.
 */
export function validateDeltas(deltas: KpiDeltas): void {
  const fail = (what: string, value: unknown): never => {
    throw new Error(`invalid KPI deltas: ${what} is ${JSON.stringify(value) ?? String(value)}`);
  };
  const checkKey = (where: string, row: KpiDeltas['counts'][number] | KpiDeltas['refs'][number]) => {
    if (!VIEWS.includes(row.view)) fail(`${where}.view`, row.view);
    if (!LEVELS.includes(row.level)) fail(`${where}.level`, row.level);
    if (!PERIOD_KINDS.includes(row.periodKind)) fail(`${where}.periodKind`, row.periodKind);
    for (const field of ['unitKey', 'periodKey', 'indicator', 'placedOn'] as const) if (typeof row[field] !== 'string') fail(`${where}.${field}`, row[field]);
    if (!Number.isSafeInteger(row.delta)) fail(`${where}.delta`, row.delta);
  };
  deltas.counts.forEach((row, i) => checkKey(`counts[${i}]`, row));
  deltas.refs.forEach((row, i) => {
    checkKey(`refs[${i}]`, row);
    if (typeof row.subject !== 'string') fail(`refs[${i}].subject`, row.subject);
  });
  deltas.targets.forEach((t, i) => {
    if (!Number.isFinite(t.value)) fail(`targets[${i}].value`, t.value);
  });
  deltas.appliedEventIds.forEach((id, i) => {
    if (typeof id !== 'string') fail(`appliedEventIds[${i}]`, id);
  });
}
