import { Inject, Injectable } from '@nestjs/common';
import type { CriteriaSet } from '@cdt/domain-scoring';
import { EVENT_STORE, LogFollower, type Checkpoint, type EventStore, type RecordedEvent } from '@cdt/event-store';
import { EVALUATION_COMPLETED_V2, SCORING_EVENT_TYPES, isScoringEvent, type GrantedAward, type RunArea } from './scoring-events';
import type { RunStatus } from './scoring-ledger';

export interface CriteriaVersionSummary {
  readonly code: string;
  readonly version: number;
  readonly title: string;
  readonly effectiveFrom: string;
  readonly checksum: string;
  readonly level: CriteriaSet['level'];
  readonly within: CriteriaSet['within'];
  readonly periodKind: CriteriaSet['periodKind'];
  readonly publishedAt: string;
  readonly publishedBy: string;
}

export interface RunSummary {
  readonly runId: string;
  readonly criteria: { code: string; version: number; checksum: string };
  readonly level: CriteriaSet['level'];
  readonly within: CriteriaSet['within'];
  readonly area: RunArea;
  readonly period: string;
  readonly watermark: Checkpoint;
  readonly units: number;
  readonly resultsDigest: string;
  readonly completedAt: string;
  readonly requestedBy: string;
  readonly status: RunStatus;
  readonly approvedBy?: string;
  readonly approvedAt?: string;
  readonly supersedes?: { runId: string; reason: string };
  readonly supersededBy?: string;
}

export interface AwardList {
  readonly runId: string;
  readonly period: string;
  readonly level: CriteriaSet['level'];
  readonly within: CriteriaSet['within'];
  readonly area: RunArea;
  readonly criteria: { code: string; version: number };
  readonly grantedAt: string;
  readonly grantedBy: string;
  readonly awards: readonly GrantedAward[];
}

const PAGE_SIZE = 500;

/**
 * Every criteria version, run and award list, as an in-memory view of the scoring events of the log
 * (without the runs' inputs and results: those are read from the run's own stream). Built on first use,
 * then caught up before every answer, like the registry's TeamsByCommune. A service that has just
 * appended waits for its own event with `reach()` before it answers, so the user who approved a ranking
 * sees it published and its awards listed on the next request.
 */
@Injectable()
export class ScoringCatalog {
  private readonly criteria = new Map<string, CriteriaVersionSummary[]>();
  private readonly runs = new Map<string, RunSummary>();
  private readonly awards = new Map<string, AwardList>();
  private readonly follower: LogFollower;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.follower = new LogFollower(store, { filter: { types: [...SCORING_EVENT_TYPES] }, pageSize: PAGE_SIZE, apply: (event) => this.apply(event) });
  }

  async criteriaVersions(code?: string): Promise<CriteriaVersionSummary[]> {
    await this.catchUp();
    const lists = code === undefined ? [...this.criteria.values()] : [this.criteria.get(code) ?? []];
    return lists.flat().sort((a, b) => (a.code === b.code ? a.version - b.version : a.code < b.code ? -1 : 1));
  }

  async listRuns(filter: { period?: string; criteriaCode?: string; status?: RunStatus } = {}): Promise<RunSummary[]> {
    await this.catchUp();
    return [...this.runs.values()]
      .filter((run) => (filter.period === undefined || run.period === filter.period) && (filter.criteriaCode === undefined || run.criteria.code === filter.criteriaCode) && (filter.status === undefined || run.status === filter.status))
      .sort((a, b) => (a.completedAt < b.completedAt ? 1 : a.completedAt > b.completedAt ? -1 : 0));
  }

  /** The published (approved, not superseded) run of the same criteria code, area and period, if any. */
  async publishedRunFor(run: Pick<RunSummary, 'criteria' | 'area' | 'period'>): Promise<RunSummary | undefined> {
    return (await this.listRuns({ period: run.period, criteriaCode: run.criteria.code, status: 'published' })).find(
      (other) => other.area.level === run.area.level && other.area.code === run.area.code,
    );
  }

  /** Award lists of published rankings (a superseded ranking's awards give way to its correction's). */
  async currentAwards(filter: { period?: string; level?: string } = {}): Promise<AwardList[]> {
    await this.catchUp();
    return [...this.awards.values()].filter(
      (list) => this.runs.get(list.runId)?.status === 'published' && (filter.period === undefined || list.period === filter.period) && (filter.level === undefined || list.level === filter.level),
    );
  }

  catchUp(): Promise<void> {
    return this.follower.catchUp();
  }

  /** Waits until the catalog holds the event appended at `position` (read your own writes); false on timeout. */
  reach(position: Checkpoint | undefined): Promise<boolean> {
    return position === undefined ? Promise.resolve(true) : this.follower.reach(position);
  }

  private apply(recorded: RecordedEvent): void {
    if (!isScoringEvent(recorded)) return;
    const event = recorded;
    const at = recorded.recordedAt;
    const actor = recorded.metadata.actor;
    switch (event.type) {
      case 'CriteriaSetPublished': {
        const { code, version, effectiveFrom, checksum, set } = event.data;
        const versions = this.criteria.get(code) ?? [];
        versions.push({ code, version, title: set.title, effectiveFrom, checksum, level: set.level, within: set.within, periodKind: set.periodKind, publishedAt: at, publishedBy: actor });
        this.criteria.set(code, versions);
        return;
      }
      case 'EvaluationCompleted': {
        const d = event.data;
        this.runs.set(d.runId, {
          runId: d.runId,
          criteria: d.criteria,
          level: d.level,
          within: d.within,
          area: d.area,
          period: d.period,
          watermark: d.watermark,
          units: event.schemaVersion === EVALUATION_COMPLETED_V2 ? event.data.units : event.data.results.length,
          resultsDigest: d.resultsDigest,
          completedAt: at,
          requestedBy: d.requestedBy,
          status: 'draft',
          ...(d.supersedes ? { supersedes: d.supersedes } : {}),
        });
        return;
      }
      case 'RankingApproved':
        this.update(event.data.runId, (run) => ({ ...run, status: run.status === 'superseded' ? run.status : 'published', approvedBy: event.data.approvedBy, approvedAt: at }));
        return;
      case 'RankingSuperseded':
        this.update(event.data.runId, (run) => ({ ...run, status: 'superseded', supersededBy: event.data.supersededBy }));
        return;
      case 'AwardsGranted': {
        const run = this.runs.get(event.data.runId);
        if (!run) return;
        this.awards.set(run.runId, {
          runId: run.runId,
          period: event.data.period,
          level: event.data.level,
          within: run.within,
          area: run.area,
          criteria: { code: run.criteria.code, version: run.criteria.version },
          grantedAt: at,
          grantedBy: event.data.grantedBy,
          awards: event.data.awards,
        });
        return;
      }
      default: {
        const _exhaustive: never = event;
        return;
      }
    }
  }

  private update(runId: string, change: (run: RunSummary) => RunSummary): void {
    const run = this.runs.get(runId);
    if (run) this.runs.set(runId, change(run));
  }
}
