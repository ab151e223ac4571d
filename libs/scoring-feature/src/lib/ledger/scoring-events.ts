import { createHash } from 'node:crypto';
import type { CriteriaSet, DigestVersion, EvaluationInput, RankingScope, ScoredLevel } from '@cdt/domain-scoring';
import { SCHEMA_VERSION_1, type DomainEvent } from '@cdt/domain-shared';
import type { Checkpoint } from '@cdt/event-store';

/**
 * The scoring facts in the log (docs/api/v1-scoring.md). Stream `criteria-<code>` holds one
 * CriteriaSetPublished per version, stream version = criteria version, so a published version is
 * immutable by optimistic concurrency. Stream `evaluation-<runId>` starts with the run's
 * EvaluationResultsRecorded chunks and its EvaluationCompleted, appended together (a draft; runs recorded
 * before the chunked form hold everything in one schema-1 EvaluationCompleted); RankingApproved + AwardsGranted publish it; RankingSuperseded marks it corrected by a later
 * approved run. A published ranking's results never change: the correction is another run.
 */

/** The unit a run covers: every unit of the set's level inside it is scored. */
export interface RunArea {
  readonly level: 'commune' | 'province' | 'nation';
  readonly code: string;
}

/** One unit's outcome, as recorded: the breakdown is recomputed from the recorded inputs and checked against the digest. */
export interface RecordedResult {
  readonly unitCode: string;
  readonly parentCode: string;
  readonly eligible: boolean;
  readonly score: number;
  readonly rank: number | null;
  readonly tier: string | null;
}

export type CriteriaSetPublished = DomainEvent<
  'CriteriaSetPublished',
  { code: string; version: number; effectiveFrom: string; checksum: string; set: CriteriaSet }
>;

/** What a run records about itself, whichever way its inputs and results are stored. */
export type EvaluationFacts = {
  runId: string;
  criteria: { code: string; version: number; checksum: string };
  level: ScoredLevel;
  within: RankingScope;
  area: RunArea;
  /** The KPI view the figures were read in: always `current` (today's units, history re-aggregated). */
  view: 'current';
  period: string;
  /** The KPI read model's checkpoint the inputs correspond to: every event at or before it, none after. */
  watermark: Checkpoint;
  /**
   * Which definition the two digests follow (ADR 0009): absent in every run recorded before it, which
   * means 1 (canonical JSON lines); 2 (binary records) since. Verification recomputes with it.
   */
  digestVersion?: DigestVersion;
  /** sha-256 over the inputs, unit by unit (the domain's evaluationInputsDigestOf, of `digestVersion`). */
  inputsDigest: string;
  /** sha-256 over the results (version 1: with every input again; 2: with the inputs digest). */
  resultsDigest: string;
  maxScore: number;
  requestedBy: string;
  supersedes?: { runId: string; reason: string };
};

/** A run's inputs and compact results, whole (schema 1 holds them inline; schema 2 in chunks). */
export type EvaluationData = EvaluationFacts & {
  inputs: EvaluationInput[];
  results: RecordedResult[];
};

/**
 * Schema 2 (written since the chunked form): the run's facts, how many units and chunks it holds; the
 * `EvaluationResultsRecorded` chunks precede it in the same stream and the same append, so a reader
 * that sees the completed run sees every chunk.
 */
export type EvaluationCompletedV2Data = EvaluationFacts & {
  units: number;
  chunks: number;
};

/** Schema 1 (every run recorded before the chunked form): inputs and results inline. Still read, no longer written. */
export type EvaluationCompletedV1 = DomainEvent<'EvaluationCompleted', EvaluationData>;
export type EvaluationCompleted = DomainEvent<'EvaluationCompleted', EvaluationCompletedV2Data, 2>;
export const EVALUATION_COMPLETED_V2 = 2 as const;

/** One chunk of a run's inputs and results (at most RESULTS_PER_CHUNK units, in unit-code order), numbered from 0. */
export type EvaluationResultsRecorded = DomainEvent<'EvaluationResultsRecorded', { runId: string; chunk: number; inputs: EvaluationInput[]; results: RecordedResult[] }>;

export type RankingApproved = DomainEvent<'RankingApproved', { runId: string; approvedBy: string; supersedes?: string }>;

/**
 * In the ranking's own stream (`rankingStream`): this run is now the published ranking of its criteria
 * code, level, area and period. Appended at an expected version before the run's RankingApproved, so
 * of two drafts approved at once only one is published.
 */
export type RankingPublished = DomainEvent<'RankingPublished', { runId: string; supersedes?: string }>;

export interface GrantedAward {
  readonly unitCode: string;
  readonly parentCode: string;
  readonly tier: string;
  readonly tierTitle: string;
  readonly rank: number | null;
  readonly score: number;
}

export type AwardsGranted = DomainEvent<'AwardsGranted', { runId: string; grantedBy: string; period: string; level: ScoredLevel; awards: GrantedAward[] }>;

export type RankingSuperseded = DomainEvent<'RankingSuperseded', { runId: string; supersededBy: string; reason: string; by: string }>;

/**
 * The scoring facts the catalog follows. `EvaluationResultsRecorded` chunks are read only with their
 * run's stream (they carry the bulk of the data), so they are not among them.
 */
export type ScoringEvent = CriteriaSetPublished | EvaluationCompletedV1 | EvaluationCompleted | RankingApproved | AwardsGranted | RankingSuperseded;

export const SCORING_EVENT_TYPES: readonly ScoringEvent['type'][] = ['CriteriaSetPublished', 'EvaluationCompleted', 'RankingApproved', 'AwardsGranted', 'RankingSuperseded'];

/** Units per EvaluationResultsRecorded chunk: ~1.3 MB of JSON each with the default criteria. */
export const RESULTS_PER_CHUNK = 2_000;

/**
 * The events that record a run, in append order: its inputs and results in chunks of RESULTS_PER_CHUNK
 * units (unit-code order), then the small EvaluationCompleted that names how many there are.
 */
export function evaluationRunEvents(
  facts: EvaluationFacts,
  inputs: readonly EvaluationInput[],
  results: readonly RecordedResult[],
  perChunk = RESULTS_PER_CHUNK,
): (EvaluationResultsRecorded | EvaluationCompleted)[] {
  const byCode = (a: { unitCode: string }, b: { unitCode: string }) => (a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : 0);
  const sortedInputs = [...inputs].sort(byCode);
  const resultOf = new Map(results.map((result) => [result.unitCode, result]));
  if (resultOf.size !== sortedInputs.length || sortedInputs.some((input) => !resultOf.has(input.unitCode))) throw new Error(`run ${facts.runId}: inputs and results name different units`);
  const chunks: EvaluationResultsRecorded[] = [];
  for (let start = 0; start < sortedInputs.length; start += perChunk) {
    const chunkInputs = sortedInputs.slice(start, start + perChunk);
    chunks.push(scoringEvent<EvaluationResultsRecorded>('EvaluationResultsRecorded', {
      runId: facts.runId,
      chunk: chunks.length,
      inputs: chunkInputs,
      results: chunkInputs.map((input) => resultOf.get(input.unitCode) as RecordedResult),
    }));
  }
  const completed: EvaluationCompleted = { type: 'EvaluationCompleted', schemaVersion: EVALUATION_COMPLETED_V2, data: { ...facts, units: sortedInputs.length, chunks: chunks.length } };
  return [...chunks, completed];
}

export const isScoringEvent = (event: { type: string }): event is ScoringEvent => (SCORING_EVENT_TYPES as readonly string[]).includes(event.type);

export const scoringEvent = <E extends ScoringEvent | EvaluationResultsRecorded | RankingPublished>(type: E['type'], data: E['data']): E => ({ type, schemaVersion: SCHEMA_VERSION_1, data }) as E;

/**
 * A uuid derived from a name (sha-256, formatted as a version-8 uuid): a retried publication or
 * approval appends under the same event id, so the store answers it as a duplicate.
 */
export function derivedEventId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u001f')).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
