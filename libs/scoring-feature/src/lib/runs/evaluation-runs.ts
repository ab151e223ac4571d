import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { evaluate, type CriteriaSet, type Evaluation, type EvaluationInput } from '@cdt/domain-scoring';
import { evaluationStream, parsePeriod } from '@cdt/domain-shared';
import { EVENT_STORE, START, WrongExpectedVersionError, compareCheckpoints, type Checkpoint, type EventMetadata, type EventStore } from '@cdt/event-store';
import { ProblemError } from '@cdt/platform';
import { KPI_READ_STORE, type KpiQueryStore } from '@cdt/read-store';
import { CriteriaSets } from '../criteria/criteria-sets';
import { gatherInputs, recordedDigestVersion, runDigests, SCORING_VIEW } from '../inputs/gather-inputs';
import { ScoringUnits } from '../inputs/scoring-units';
import { ScoringCatalog } from '../ledger/scoring-catalog';
import {
  derivedEventId,
  scoringEvent,
  type AwardsGranted,
  evaluationRunEvents,
  type EvaluationFacts,
  type GrantedAward,
  type RankingApproved,
  type RankingSuperseded,
  type RunArea,
} from '../ledger/scoring-events';
import { claimPublication, firstRecordedDifference, RankingAlreadyPublishedError, readCriteriaVersions, readRun, recordedResultsOf, statusOf, type RunRecord } from '../ledger/scoring-ledger';

export interface RunRequest {
  readonly criteriaCode: string;
  readonly criteriaVersion?: number;
  readonly period: string;
  readonly area: RunArea;
  /** Client-chosen id, so a retried request does not run twice; a uuid is made up otherwise. */
  readonly runId?: string;
  readonly supersedes?: string;
  readonly reason?: string;
}

/** A run as it can be read back: the record, the set it applied, and the breakdown recomputed from the recorded inputs. */
export interface LoadedRun {
  readonly record: RunRecord;
  readonly set: CriteriaSet;
  readonly evaluation: Evaluation;
  /** Whether the recomputed results match the recorded results and digest (a tampered record does not). */
  readonly integrity: { readonly ok: boolean; readonly detail?: string };
}

/** How long a run waits for the KPI projection to reach the log head it saw when asked. */
const CATCH_UP_TIMEOUT_MS = 60_000;
/** Reads between two equal checkpoints; a projection batch landing mid-read makes the run read again. */
const CONSISTENT_READ_ATTEMPTS = 5;
const LOADED_RUNS_KEPT = 16;

const problem = (status: number, code: string, field: string | undefined, detail: string) => new ProblemError({ status, code, detail, ...(field ? { field } : {}) });
const same = (a: Checkpoint | undefined, b: Checkpoint | undefined) => a?.transactionId === b?.transactionId && a?.globalPosition === b?.globalPosition;

/**
 * Evaluation runs: gather every unit's figures at one read-model checkpoint, evaluate with the pure
 * domain, append `EvaluationCompleted` (a draft); approval appends `RankingApproved` + `AwardsGranted`
 * and, for a correction, `RankingSuperseded` on the run it replaces.
 */
@Injectable()
export class EvaluationRuns implements OnModuleInit {
  private readStore!: KpiQueryStore;
  private readonly loaded = new Map<string, { set: CriteriaSet; evaluation: Evaluation; integrity: LoadedRun['integrity'] }>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly moduleRef: ModuleRef,
    private readonly units: ScoringUnits,
    private readonly criteria: CriteriaSets,
    private readonly catalog: ScoringCatalog,
  ) {}

  /** KPI_READ_STORE is provided by the ProjectionFeatureModule of the same app, wherever it is imported. */
  onModuleInit(): void {
    this.readStore = this.moduleRef.get<KpiQueryStore>(KPI_READ_STORE, { strict: false });
  }

  async run(request: RunRequest, metadata: EventMetadata): Promise<{ runId: string; status: 'created' | 'duplicate' }> {
    const runId = request.runId ?? randomUUID();
    const existing = await readRun(this.store, runId);
    if (existing) return this.sameRequest(existing, request, runId);
    const published = await this.criteria.resolve(request.criteriaCode, request.criteriaVersion, request.period);
    const set = published.data.set;
    this.checkScope(set, request);
    const supersedes = request.supersedes === undefined ? undefined : await this.supersedable(request, set);

    const { inputs, watermark } = await this.gatherConsistently(set, request);
    const evaluation = evaluate(set, inputs);
    const digests = runDigests(inputs, evaluation);
    const facts: EvaluationFacts = {
      runId,
      criteria: { code: set.code, version: set.version, checksum: published.data.checksum },
      level: set.level,
      within: set.within,
      area: request.area,
      view: SCORING_VIEW,
      period: request.period,
      watermark,
      digestVersion: digests.digestVersion,
      inputsDigest: digests.inputsDigest,
      resultsDigest: digests.resultsDigest,
      maxScore: evaluation.maxScore,
      requestedBy: metadata.actor,
      ...(supersedes ? { supersedes } : {}),
    };
    // The chunks and the completing event in one append: the run is in the log whole or not at all.
    const events = evaluationRunEvents(facts, inputs, recordedResultsOf(evaluation)).map((event) => ({
      eventId: event.type === 'EvaluationCompleted' ? derivedEventId('evaluation', runId) : derivedEventId('evaluation-results', runId, String(event.data.chunk)),
      ...event,
      data: event.data as unknown as Record<string, unknown>,
      metadata,
    }));
    try {
      const appended = await this.store.append(evaluationStream(runId), events, 'no-stream');
      await this.catalog.reach(appended.events.at(-1)?.position);
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      const raced = await readRun(this.store, runId);
      if (raced) return this.sameRequest(raced, request, runId);
      throw error;
    }
    return { runId, status: 'created' };
  }

  async load(runId: string): Promise<LoadedRun> {
    const record = await readRun(this.store, runId);
    if (!record) throw problem(404, 'RUN_NOT_FOUND', 'runId', `no evaluation run ${runId}`);
    let loaded = this.loaded.get(runId);
    if (!loaded) {
      const { criteria, inputs, results, resultsDigest } = record.completed.data;
      const version = recordedDigestVersion(record.completed.data);
      const published = (await readCriteriaVersions(this.store, criteria.code)).find((v) => v.data.version === criteria.version);
      if (!published) throw problem(409, 'CRITERIA_SET_MISSING', 'runId', `run ${runId} names ${criteria.code} v${criteria.version}, which the log does not hold`);
      const evaluation = evaluate(published.data.set, inputs);
      const digest = version === undefined ? undefined : runDigests(inputs, evaluation, version).resultsDigest;
      const difference =
        record.incomplete ??
        (version === undefined ? `the run names digest version ${String(record.completed.data.digestVersion)}, which this service does not know` : undefined) ??
        firstRecordedDifference(results, recordedResultsOf(evaluation)) ??
        (digest !== resultsDigest ? `the recorded inputs evaluate to digest ${digest}, the run records ${resultsDigest}` : undefined) ??
        (published.data.checksum !== criteria.checksum ? `the run records criteria checksum ${criteria.checksum}, the published set has ${published.data.checksum}` : undefined);
      loaded = { set: published.data.set, evaluation, integrity: difference === undefined ? { ok: true } : { ok: false, detail: difference } };
      if (this.loaded.size >= LOADED_RUNS_KEPT) this.loaded.delete(this.loaded.keys().next().value as string);
      this.loaded.set(runId, loaded);
    }
    return { record, ...loaded };
  }

  /** Publishes a draft: RankingApproved + AwardsGranted in one append; a correction first marks the run it replaces. */
  async approve(runId: string, metadata: EventMetadata): Promise<{ runId: string; status: 'created' | 'duplicate' }> {
    const { record, set, integrity } = await this.load(runId);
    if (record.approved) return { runId, status: 'duplicate' };
    if (!integrity.ok) throw problem(409, 'RUN_INTEGRITY_FAILED', 'runId', `run ${runId} does not match its own digests and cannot be published: ${integrity.detail}`);
    const completed = record.completed.data;
    if (!completed.supersedes) {
      const published = await this.catalog.publishedRunFor(completed);
      if (published && published.runId !== runId) throw alreadyPublished(completed, published.runId);
    }
    try {
      await claimPublication(this.store, completed, runId, metadata);
    } catch (error) {
      if (error instanceof RankingAlreadyPublishedError) throw alreadyPublished(completed, error.publishedRunId);
      throw error;
    }
    if (completed.supersedes) await this.markSuperseded(completed.supersedes.runId, runId, completed.supersedes.reason, metadata);
    const titles = new Map(set.awardTiers.map((tier) => [tier.code, tier.title]));
    const awards: GrantedAward[] = completed.results.flatMap((result) =>
      result.tier === null ? [] : [{ unitCode: result.unitCode, parentCode: result.parentCode, tier: result.tier, tierTitle: titles.get(result.tier) ?? result.tier, rank: result.rank, score: result.score }],
    );
    const approved = scoringEvent<RankingApproved>('RankingApproved', { runId, approvedBy: metadata.actor, ...(completed.supersedes ? { supersedes: completed.supersedes.runId } : {}) });
    const granted = scoringEvent<AwardsGranted>('AwardsGranted', { runId, grantedBy: metadata.actor, period: completed.period, level: completed.level, awards });
    try {
      const result = await this.store.append(
        evaluationStream(runId),
        [
          { eventId: derivedEventId('approved', runId), ...approved, metadata },
          { eventId: derivedEventId('awards', runId), ...granted, metadata },
        ],
        record.version,
      );
      // The approver's next request (the awards, the run list) must show the ranking published.
      await this.catalog.reach(result.events.at(-1)?.position);
      return { runId, status: result.duplicate ? 'duplicate' : 'created' };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError && (await readRun(this.store, runId))?.approved) return { runId, status: 'duplicate' };
      throw error;
    }
  }

  private async markSuperseded(oldRunId: string, byRunId: string, reason: string, metadata: EventMetadata): Promise<void> {
    const old = await readRun(this.store, oldRunId);
    if (!old) throw problem(409, 'SUPERSEDED_RUN_MISSING', 'supersedes', `run ${oldRunId} is not in the log`);
    if (old.superseded) {
      if (old.superseded.data.supersededBy === byRunId) return;
      throw problem(409, 'ALREADY_SUPERSEDED', 'supersedes', `run ${oldRunId} was already corrected by run ${old.superseded.data.supersededBy}`);
    }
    const event = scoringEvent<RankingSuperseded>('RankingSuperseded', { runId: oldRunId, supersededBy: byRunId, reason, by: metadata.actor });
    try {
      await this.store.append(evaluationStream(oldRunId), [{ eventId: derivedEventId('superseded', oldRunId, byRunId), ...event, metadata }], old.version);
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return this.markSuperseded(oldRunId, byRunId, reason, metadata);
      throw error;
    }
  }

  /** A correction replaces a published ranking of the same criteria code, level, area and period. */
  private async supersedable(request: RunRequest, set: CriteriaSet): Promise<{ runId: string; reason: string }> {
    const reason = request.reason?.trim() ?? '';
    if (reason.length === 0) throw problem(422, 'REASON_REQUIRED', 'reason', 'a run that supersedes another must say why');
    const old = await readRun(this.store, request.supersedes as string);
    if (!old) throw problem(404, 'RUN_NOT_FOUND', 'supersedes', `no evaluation run ${request.supersedes}`);
    const before = old.completed.data;
    if (statusOf(old) !== 'published') throw problem(422, 'NOT_PUBLISHED', 'supersedes', `run ${before.runId} is ${statusOf(old)}: only a published ranking is corrected (a draft is simply never approved)`);
    if (before.criteria.code !== set.code || before.area.level !== request.area.level || before.area.code !== request.area.code || before.period !== request.period) {
      throw problem(422, 'NOT_THE_SAME_RANKING', 'supersedes', `run ${before.runId} ranks ${before.criteria.code} for ${before.area.level} ${before.area.code}, ${before.period}; a correction must rank the same`);
    }
    return { runId: before.runId, reason };
  }

  private checkScope(set: CriteriaSet, request: RunRequest): void {
    const { area, period } = request;
    if (parsePeriod(period)?.kind !== set.periodKind) throw problem(422, 'PERIOD_KIND_MISMATCH', 'period', `${set.code} v${set.version} ranks by ${set.periodKind}; ${period} is not one`);
    if (!this.units.find(area.level, area.code)) throw problem(404, 'UNIT_NOT_FOUND', 'area.code', `${area.code} is no ${area.level} of today's hierarchy`);
    const order = { commune: 0, province: 1, nation: 2 } as const;
    if (order[area.level] < order[set.within]) {
      throw problem(422, 'AREA_BELOW_RANKING_SCOPE', 'area.level', `${set.code} ranks ${set.level}s within the ${set.within}: the area must be a ${set.within} or larger, not a ${area.level}`);
    }
  }

  private sameRequest(run: RunRecord, request: RunRequest, runId: string): { runId: string; status: 'duplicate' } {
    const d = run.completed.data;
    const matches =
      d.criteria.code === request.criteriaCode &&
      (request.criteriaVersion === undefined || d.criteria.version === request.criteriaVersion) &&
      d.period === request.period &&
      d.area.level === request.area.level &&
      d.area.code === request.area.code &&
      d.supersedes?.runId === request.supersedes;
    if (!matches) throw problem(409, 'RUN_ID_CONFLICT', 'runId', `run ${runId} exists and was a different request`);
    return { runId, status: 'duplicate' };
  }

  /**
   * Waits until the projection has every event visible when the run was asked for, then reads all
   * figures between two equal read-model checkpoints: the watermark is that checkpoint, and the inputs
   * are exactly the figures of the log up to it.
   */
  private async gatherConsistently(set: CriteriaSet, request: RunRequest): Promise<{ inputs: EvaluationInput[]; watermark: Checkpoint }> {
    const head = await this.store.head();
    const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
    let at = await this.readStore.checkpoint();
    while (compareCheckpoints(at ?? START, head) < 0) {
      if (Date.now() > deadline) throw problem(503, 'PROJECTION_LAGGING', undefined, `the KPI projection is at ${at?.globalPosition ?? 0}, the log at ${head.globalPosition}; try again when it has caught up`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      at = await this.readStore.checkpoint();
    }
    const scope = { set, area: request.area, period: request.period };
    for (let attempt = 1; attempt <= CONSISTENT_READ_ATTEMPTS; attempt++) {
      const before = await this.readStore.checkpoint();
      const inputs = await gatherInputs(this.readStore, this.units, scope);
      const after = await this.readStore.checkpoint();
      if (same(before, after)) return { inputs, watermark: after ?? START };
    }
    throw problem(503, 'PROJECTION_BUSY', undefined, `the KPI model moved during each of ${CONSISTENT_READ_ATTEMPTS} reads; try again in a moment`);
  }
}

function alreadyPublished(completed: RunRecord['completed']['data'], publishedRunId: string): ProblemError {
  return problem(
    409,
    'RANKING_ALREADY_PUBLISHED',
    'runId',
    `run ${publishedRunId} is the published ranking of ${completed.criteria.code} for ${completed.area.level} ${completed.area.code}, ${completed.period}; a correction is a new run with supersedes=${publishedRunId} and a reason`,
  );
}
