import type { Checkpoint } from '@cdt/event-store';
import type { Level, Model2Deltas, Model2Team, TeamHistory, UnitFigures, View } from '@cdt/domain-kpi';
import type { FiguresUnder, FiguresUnderQuery } from '../figures-under';

/**
 * The KPI model-2 store port (ADR 0010): what the model-2 pipeline writes and reads before a batch, and
 * the queries model 1 answers (same signatures, same answers as `figuresOfModel2` / `childrenOfModel2`).
 * Distinct counts are not stored: a store counts the distinct subjects of the period's live facts when
 * asked. Adapters: `SqlKpiModel2Store` (PostgreSQL, PGlite), the MongoDB store.
 */
export interface KpiModel2Store {
  /** Where the model stands in the log; undefined before the first batch. */
  checkpoint(): Promise<Checkpoint | undefined>;
  /**
   * Writes a batch's deltas and its checkpoint atomically. A batch whose checkpoint is not past the
   * stored one was applied already: nothing changes and false is returned.
   */
  applyBatch(deltas: Model2Deltas, checkpoint: Checkpoint): Promise<boolean>;
  /**
   * Optional: does the pure part of writing `deltas` now (the SQL store encodes its parameters), so that
   * `applyBatch` with the same object starts its transaction at once. The pipeline calls it while the
   * previous batch is still being written; a store without it encodes in `applyBatch`.
   */
  prepare?(deltas: Model2Deltas): void;
  /**
   * Optional: resolves once the last `applyBatch` has handed its whole write to the database (or ended),
   * so the caller can start long synchronous work without holding the rest of the write back. The SQL
   * store on pg sends a batch of megabytes in pieces from Node's event loop.
   */
  whenSent?(): Promise<void>;

  // ── what the projector reads before a batch, as at the checkpoint ─────────────────────────────────
  /** The subset of `eventIds` already applied. */
  appliedAmong(eventIds: readonly string[]): Promise<Set<string>>;
  /** Every team the projector has seen. */
  teams(): Promise<Model2Team[]>;
  /** A team's live facts and stock facts, each list in the order first written (read for relocating teams). */
  teamHistory(teamId: string): Promise<TeamHistory>;

  // ── queries: model 1's answers ────────────────────────────────────────────────────────────────────
  /** Flows of the period, stocks at its end, covered children and targets of units at one level, in the order of `unitKeys`. */
  figures(view: View, level: Level, unitKeys: readonly string[], period: string): Promise<UnitFigures[]>;
  /** Units at `childLevel` under (level, unitKey) with a non-zero figure in the period's kind up to its end. */
  children(view: View, level: Level, unitKey: string, childLevel: Level, period: string): Promise<string[]>;
  /** Every unit of one level under a parent, for several periods at once: the answer of `figuresUnderOfModel2` (figures-under.ts). */
  figuresUnder(query: FiguresUnderQuery): Promise<FiguresUnder>;
  /** A cheap round trip to the store (readiness); with the queries above, a model-2 store is a `KpiQueryStore`. */
  health(): Promise<void>;

  close(): Promise<void>;
}
