import type { Evaluation } from '@cdt/domain-scoring';
import { criteriaStream, evaluationStream } from '@cdt/domain-shared';
import type { Checkpoint, EventStore, RecordedEvent } from '@cdt/event-store';
import type { AwardsGranted, CriteriaSetPublished, EvaluationCompleted, RankingApproved, RankingSuperseded, RecordedResult } from './scoring-events';

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

/** An evaluation run as its stream tells it. */
export interface RunRecord {
  readonly completed: Recorded<EvaluationCompleted['data']>;
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
  return {
    completed: recorded<EvaluationCompleted['data']>(completed),
    approved: find<RankingApproved['data']>('RankingApproved'),
    awards: find<AwardsGranted['data']>('AwardsGranted'),
    superseded: find<RankingSuperseded['data']>('RankingSuperseded'),
    version: events.at(-1)?.streamVersion ?? 0,
  };
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
