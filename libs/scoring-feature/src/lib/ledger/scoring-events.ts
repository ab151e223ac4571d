import { createHash } from 'node:crypto';
import type { CriteriaSet, EvaluationInput, RankingScope, ScoredLevel } from '@cdt/domain-scoring';
import { SCHEMA_VERSION_1, type DomainEvent } from '@cdt/domain-shared';
import type { Checkpoint } from '@cdt/event-store';

/**
 * The scoring facts in the log (docs/api/v1-scoring.md). Stream `criteria-<code>` holds one
 * CriteriaSetPublished per version, stream version = criteria version, so a published version is
 * immutable by optimistic concurrency. Stream `evaluation-<runId>` starts with EvaluationCompleted (a
 * draft); RankingApproved + AwardsGranted publish it; RankingSuperseded marks it corrected by a later
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

export type EvaluationCompleted = DomainEvent<
  'EvaluationCompleted',
  {
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
    /** sha-256 over the canonical inputs, unit by unit (see inputsDigest). */
    inputsDigest: string;
    /** The domain's evaluationDigest over inputs and results. */
    resultsDigest: string;
    maxScore: number;
    inputs: EvaluationInput[];
    results: RecordedResult[];
    requestedBy: string;
    supersedes?: { runId: string; reason: string };
  }
>;

export type RankingApproved = DomainEvent<'RankingApproved', { runId: string; approvedBy: string; supersedes?: string }>;

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

export type ScoringEvent = CriteriaSetPublished | EvaluationCompleted | RankingApproved | AwardsGranted | RankingSuperseded;

export const SCORING_EVENT_TYPES: readonly ScoringEvent['type'][] = ['CriteriaSetPublished', 'EvaluationCompleted', 'RankingApproved', 'AwardsGranted', 'RankingSuperseded'];

export const isScoringEvent = (event: { type: string }): event is ScoringEvent => (SCORING_EVENT_TYPES as readonly string[]).includes(event.type);

export const scoringEvent = <E extends ScoringEvent>(type: E['type'], data: E['data']): E => ({ type, schemaVersion: SCHEMA_VERSION_1, data }) as E;

/**
 * A uuid derived from a name (sha-256, formatted as a version-8 uuid): a retried publication or
 * approval appends under the same event id, so the store answers it as a duplicate.
 */
export function derivedEventId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u001f')).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
