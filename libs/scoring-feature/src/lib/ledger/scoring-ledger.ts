import type { Evaluation } from '@cdt/domain-scoring';
import { criteriaStream, evaluationStream, rankingStream } from '@cdt/domain-shared';
import { compareCheckpoints, WrongExpectedVersionError, type Checkpoint, type EventMetadata, type EventStore, type RecordedEvent } from '@cdt/event-store';
import { EVALUATION_COMPLETED_V2, type AwardsGranted, type CriteriaSetPublished, type EvaluationCompletedV2Data, type EvaluationData, type EvaluationResultsRecorded, type RankingApproved, type RankingPublished, type RankingSuperseded, type RecordedResult, derivedEventId, scoringEvent } from './scoring-events';

/** A recorded event's data with where and when the store put it. */
export interface Recorded<Data> {
  readonly data: Data;
  readonly position: Checkpoint;
  readonly recordedAt: string;
  readonly actor: string;
}

export interface PublishedCriteria extends Recorded<CriteriaSetPublished['data']> {
  /** The criteria stream's version, equal to the set's version. */
  readonly streamVersion: number;
}

/** An evaluation run as its stream tells it, its inputs and results whole whichever schema recorded them. */
export interface RunRecord {
  readonly completed: Recorded<EvaluationData>;
  /** Set when the chunks in the stream are not the ones its EvaluationCompleted names (a tampered log). */
  readonly incomplete?: string;
  readonly approved?: Recorded<RankingApproved['data']>;
  readonly awards?: Recorded<AwardsGranted['data']>;
  readonly superseded?: Recorded<RankingSuperseded['data']>;
  /** The evaluation stream's version: what an append to it expects. */
  readonly version: number;
}

export type RunStatus = 'draft' | 'published' | 'superseded';

export const statusOf = (run: RunRecord): RunStatus => (run.superseded ? 'superseded' : run.approved ? 'published' : 'draft');

const recorded = <Data>(event: RecordedEvent): Recorded<Data> => ({
  data: event.data as unknown as Data,
  position: event.position,
  recordedAt: event.recordedAt,
  actor: event.metadata.actor,
});

/** Every published version of a criteria set, oldest first. */
export async function readCriteriaVersions(store: EventStore, code: string): Promise<PublishedCriteria[]> {
  const events = await store.readStream(criteriaStream(code));
  return events
    .filter((event) => event.type === 'CriteriaSetPublished')
    .map((event) => ({ ...recorded<CriteriaSetPublished['data']>(event), streamVersion: event.streamVersion }));
}

export async function readRun(store: EventStore, runId: string): Promise<RunRecord | undefined> {
  const events = await store.readStream(evaluationStream(runId));
  const completed = events.find((event) => event.type === 'EvaluationCompleted');
  if (!completed) return undefined;
  const find = <Data>(type: string): Recorded<Data> | undefined => {
    const event = events.find((e) => e.type === type);
    return event && recorded<Data>(event);
  };
  const { data, incomplete } = completed.schemaVersion >= EVALUATION_COMPLETED_V2 ? assembleChunks(completed, events) : { data: completed.data as unknown as EvaluationData, incomplete: undefined };
  return {
    completed: { ...recorded<EvaluationData>(completed), data },
    ...(incomplete === undefined ? {} : { incomplete }),
    approved: find<RankingApproved['data']>('RankingApproved'),
    awards: find<AwardsGranted['data']>('AwardsGranted'),
    superseded: find<RankingSuperseded['data']>('RankingSuperseded'),
    version: events.at(-1)?.streamVersion ?? 0,
  };
}

/** A schema-2 run: its facts with the inputs and results of its chunks, in chunk order; what is amiss, in words. */
function assembleChunks(completed: RecordedEvent, events: readonly RecordedEvent[]): { data: EvaluationData; incomplete?: string } {
  const { units, chunks: expected, ...facts } = completed.data as unknown as EvaluationCompletedV2Data;
  const chunks = events
    .filter((event) => event.type === 'EvaluationResultsRecorded' && compareCheckpoints(event.position, completed.position) < 0)
    .map((event) => event.data as unknown as EvaluationResultsRecorded['data'])
    .filter((chunk) => chunk.runId === facts.runId)
    .sort((a, b) => a.chunk - b.chunk);
  const data: EvaluationData = { ...facts, inputs: chunks.flatMap((chunk) => chunk.inputs), results: chunks.flatMap((chunk) => chunk.results) };
  const numbers = chunks.map((chunk) => chunk.chunk);
  const incomplete =
    numbers.length !== expected || numbers.some((n, index) => n !== index)
      ? `the run names ${expected} chunks of results, the stream holds chunks [${numbers.join(', ')}]`
      : data.inputs.length !== units || data.results.length !== units
        ? `the run names ${units} units, its chunks hold ${data.inputs.length} inputs and ${data.results.length} results`
        : undefined;
  return incomplete === undefined ? { data } : { data, incomplete };
}

/** What a run records of each unit's result; the breakdown is re-derived from the recorded inputs. */
export const recordedResultsOf = (evaluation: Evaluation): RecordedResult[] =>
  evaluation.results.map(({ unitCode, parentCode, eligible, score, rank, tier }) => ({ unitCode, parentCode, eligible, score, rank, tier }));

/** The first unit whose recorded result differs, in words; undefined when all agree. */
export function firstRecordedDifference(expected: readonly RecordedResult[], actual: readonly RecordedResult[]): string | undefined {
  const byUnit = new Map(actual.map((result) => [result.unitCode, result]));
  for (const want of expected) {
    const got = byUnit.get(want.unitCode);
    if (!got) return `unit ${want.unitCode}: recorded in the run, absent from the recomputation`;
    for (const field of ['parentCode', 'eligible', 'score', 'rank', 'tier'] as const) {
      if (want[field] !== got[field]) return `unit ${want.unitCode}, ${field}: recorded ${String(want[field])}, recomputed ${String(got[field])}`;
    }
    byUnit.delete(want.unitCode);
  }
  const extra = byUnit.keys().next();
  return extra.done ? undefined : `unit ${extra.value}: recomputed, absent from the run's record`;
}

/** Another run is the published ranking: a draft of the same ranking must supersede it, with a reason. */
export class RankingAlreadyPublishedError extends Error {
  constructor(readonly publishedRunId: string) {
    super(`run ${publishedRunId} is already the published ranking`);
  }
}

type RankingOf = Pick<EvaluationData, 'criteria' | 'level' | 'area' | 'period' | 'supersedes'>;

const publishedIn = (claims: readonly RecordedEvent[]): string | undefined => (claims.at(-1)?.data as RankingPublished['data'] | undefined)?.runId;

/**
 * Makes `runId` the published ranking in the ranking's own stream (`rankingStream`), at the version it
 * read: a first publication only if there is none, a correction only over the run it supersedes. A
 * retry finds its own claim; of two drafts claimed at once (two scoring services, or catalogs not yet
 * caught up) the store lets one append win and the other gets RankingAlreadyPublishedError.
 */
export async function claimPublication(store: Pick<EventStore, 'readStream' | 'append'>, run: RankingOf, runId: string, metadata: EventMetadata): Promise<void> {
  const stream = rankingStream({ criteriaCode: run.criteria.code, level: run.level, areaLevel: run.area.level, areaCode: run.area.code, period: run.period });
  const claims = await store.readStream(stream);
  const current = publishedIn(claims);
  if (current === runId) return;
  const supersedes = run.supersedes?.runId;
  // A ranking published before this stream existed has no claim; its run stream says it is published.
  if (current !== supersedes && !(current === undefined && supersedes !== undefined)) throw new RankingAlreadyPublishedError(current ?? '(unknown)');
  const event = scoringEvent<RankingPublished>('RankingPublished', { runId, ...(supersedes ? { supersedes } : {}) });
  try {
    await store.append(stream, [{ eventId: derivedEventId('published', runId), ...event, data: event.data as unknown as Record<string, unknown>, metadata }], claims.length === 0 ? 'no-stream' : claims.length);
  } catch (error) {
    if (!(error instanceof WrongExpectedVersionError)) throw error;
    const winner = publishedIn(await store.readStream(stream));
    if (winner !== runId) throw new RankingAlreadyPublishedError(winner ?? '(unknown)');
  }
}
