import type { Checkpoint } from '@cdt/event-store';
import type { KpiDeltas, Level, TeamContributions, TeamRecord, UnitFigures, View } from '@cdt/domain-kpi';
import type { FiguresUnder, FiguresUnderQuery } from './figures-under';

/**
 * What KPI_READ_STORE provides: a `KpiQueryStore` (the live model version, whatever its model). The query
 * API, the evidence reader and scoring read through it only.
 */
export const KPI_READ_STORE = Symbol('KPI_READ_STORE');

/** What a read in one snapshot gives: its result and the checkpoint of the model it read. */
export interface KpiSnapshot<T> {
  readonly result: T;
  /** The model's checkpoint in the snapshot: `result` is exactly the model at this log position. */
  readonly checkpoint: Checkpoint | undefined;
}

/**
 * The query side of a KPI model, whatever the model: both model 1's `KpiReadStore` and model 2's
 * `KpiModel2Store` (ADR 0010) satisfy it with the same answers (a contract suite checks each).
 */
export interface KpiQueryStore {
  /** Where the model stands in the log; undefined before the first batch. */
  checkpoint(): Promise<Checkpoint | undefined>;
  /** Stored figures and targets of units at one level for one period, in the order of `unitKeys`. */
  figures(view: View, level: Level, unitKeys: readonly string[], period: string): Promise<UnitFigures[]>;
  /** Units at `childLevel` under (level, unitKey) with any figure in the period's kind up to its end. */
  children(view: View, level: Level, unitKey: string, childLevel: Level, period: string): Promise<string[]>;
  /**
   * In one round trip, the flows and stocks of every unit at `query.level` under `query.under`, for
   * each of several periods, and their targets (see figures-under.ts; the reference is figuresUnderOf).
   */
  figuresUnder(query: FiguresUnderQuery): Promise<FiguresUnder>;
  /** A cheap round trip to the store (readiness). */
  health(): Promise<void>;
  /**
   * Runs `read` against a view of this store in which every query, and the checkpoint returned, see one
   * consistent state of the model (PostgreSQL/PGlite: one REPEATABLE READ, READ ONLY transaction; a
   * batch commits with its checkpoint, so the result is exactly the model at that checkpoint, however
   * many batches land meanwhile). `read` must query through the view it is given only. The view is
   * valid until `read`'s promise settles.
   *
   * Absent on the MongoDB stores: a batch there is a series of guarded upserts over several collections,
   * with no snapshot across them; their answers are checked by reading the checkpoint before and after
   * (KpiAnswerCache).
   */
  snapshot?<T>(read: (store: KpiQueryStore) => Promise<T>): Promise<KpiSnapshot<T>>;
}

/**
 * The KPI model-1 read-store port: what the projection runner writes and the queries read. Every adapter
 * (PostgreSQL, PGlite, MongoDB) passes the same contract suite (src/contract) against the in-memory
 * reference model of @cdt/domain-kpi.
 */
export interface KpiReadStore extends KpiQueryStore {
  /**
   * Applies one batch and moves the checkpoint, atomically. A batch whose checkpoint is not past the
   * stored one was applied already: nothing changes and false is returned.
   */
  applyBatch(deltas: KpiDeltas, checkpoint: Checkpoint): Promise<boolean>;

  // ── what the projector needs before a batch ─────────────────────────────────────────────────────
  /** The subset of `eventIds` already applied. */
  appliedAmong(eventIds: readonly string[]): Promise<Set<string>>;
  /** Every team the projector has seen, as at the checkpoint. */
  teams(): Promise<TeamRecord[]>;
  /** The team's own figures in the current view (needed when it relocates). */
  contributionsOf(teamId: string): Promise<TeamContributions>;

  close(): Promise<void>;
}
