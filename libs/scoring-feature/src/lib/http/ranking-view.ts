import type { UnitResult } from '@cdt/domain-scoring';
import type { Checkpoint } from '@cdt/event-store';
import type { RunArea } from '../ledger/scoring-events';
import { statusOf, type RunStatus } from '../ledger/scoring-ledger';
import type { LoadedRun } from '../runs/evaluation-runs';

/** A run as the API answers it: the explained ranking and everything needed to trace it to the log. */
export interface RankingView {
  readonly runId: string;
  readonly status: RunStatus;
  readonly criteria: {
    readonly code: string;
    readonly version: number;
    readonly checksum: string;
    readonly title: string;
    readonly list: readonly { code: string; title: string; maxPoints: number; weight: number }[];
  };
  readonly level: string;
  readonly within: string;
  readonly area: RunArea;
  readonly period: string;
  readonly view: string;
  readonly watermark: Checkpoint;
  /** The digest definition the two digests follow (ADR 0009): 1 for runs recorded before it, 2 since. */
  readonly digestVersion: number;
  readonly inputsDigest: string;
  readonly resultsDigest: string;
  /** Whether the breakdown recomputed from the recorded inputs matches the recorded results and digest. */
  readonly integrity: LoadedRun['integrity'];
  readonly maxScore: number;
  readonly completedAt: string;
  readonly requestedBy: string;
  readonly approvedBy?: string;
  readonly approvedAt?: string;
  readonly supersedes?: { runId: string; reason: string };
  readonly supersededBy?: { runId: string; reason: string; at: string };
  /** Units the caller may see, in ranking order, each with its per-criterion breakdown and the figures it was scored on. */
  readonly results: readonly (UnitResult & { figures: Readonly<Record<string, number>>; targets: Readonly<Record<string, number>> })[];
  /** How many units the run scored in all (an officer sees its province's rows of a national run). */
  readonly unitsInRun: number;
}

export function rankingView(run: LoadedRun, visible: (result: { unitCode: string; parentCode: string }) => boolean): RankingView {
  const { record, set, evaluation, integrity } = run;
  const d = record.completed.data;
  const inputs = new Map(d.inputs.map((input) => [input.unitCode, input]));
  return {
    runId: d.runId,
    status: statusOf(record),
    criteria: {
      ...d.criteria,
      title: set.title,
      list: set.criteria.map((c) => ({ code: c.code, title: c.title, maxPoints: c.maxPoints, weight: c.weight ?? 1 })),
    },
    level: d.level,
    within: d.within,
    area: d.area,
    period: d.period,
    view: d.view,
    watermark: d.watermark,
    digestVersion: d.digestVersion ?? 1,
    inputsDigest: d.inputsDigest,
    resultsDigest: d.resultsDigest,
    integrity,
    maxScore: evaluation.maxScore,
    completedAt: record.completed.recordedAt,
    requestedBy: d.requestedBy,
    ...(record.approved ? { approvedBy: record.approved.data.approvedBy, approvedAt: record.approved.recordedAt } : {}),
    ...(d.supersedes ? { supersedes: d.supersedes } : {}),
    ...(record.superseded ? { supersededBy: { runId: record.superseded.data.supersededBy, reason: record.superseded.data.reason, at: record.superseded.recordedAt } } : {}),
    results: evaluation.results.filter(visible).map((result) => ({
      ...result,
      figures: inputs.get(result.unitCode)?.figures ?? {},
      targets: inputs.get(result.unitCode)?.targets ?? {},
    })),
    unitsInRun: evaluation.results.length,
  };
}
