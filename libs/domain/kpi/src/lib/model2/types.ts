import type { PeriodKind } from '@cdt/domain-shared';
import type { Placed, TargetSet, TeamRecord } from '../deltas';
import type { ProjectorState } from '../projector';
import type { Level, UnitResolver, View } from '../units';

/**
 * KPI model 2 (ADR 0010, as revised 2026-11-26): facts and wide count cells. The projector turns a batch
 * into these deltas; a store applies them with its checkpoint and answers the same queries as model 1.
 * Distinct counts (households reached, active members, active teams, citizens assisted) are not
 * materialised: a store counts the distinct subjects of the period's facts when asked, exact by construction.
 */

/**
 * Where a fact or stock fact happened, as recorded, and its day. Also where it counts in a view
 * (distinct-rows.ts `factPlace`): the current view takes the team's record and `since` as the day.
 */
export interface FactPlace {
  readonly teamId: string;
  readonly communeCode: string;
  readonly village: string;
  /** As recorded: the commune's district and province on `day` (absent when the lists do not know it; the current view has no district). */
  readonly districtCode?: string;
  readonly provinceCode?: string;
  readonly day: string;
}

/** One counted activity as recorded: the finest grain and the evidence of every figure. A retraction deletes it. */
export interface Fact extends FactPlace {
  readonly activityId: string;
  /** The count indicators it adds one to. */
  readonly counts: readonly string[];
  /** Distinct indicator → its subjects (householdRef, citizenRef, memberIds, teamId). */
  readonly subjects: Readonly<Record<string, readonly string[]>>;
}

/**
 * A dated registry change of one stock indicator (teams, members, youth-union members) for a team.
 * `both`: establishment, membership and dissolution, counted under the team's unit in both views.
 * `as-recorded-above-team`: the two halves of a relocation (old unit −n, new unit +n), as recorded only
 * and not at the team itself (the current view moves the team's whole history instead).
 */
export interface StockFact extends FactPlace {
  readonly eventId: string;
  readonly indicator: string;
  readonly delta: number;
  readonly scope: 'both' | 'as-recorded-above-team';
}

export interface CellKey {
  readonly view: View;
  readonly level: Level;
  readonly unitKey: string;
  readonly periodKind: PeriodKind;
  readonly periodKey: string;
}

/**
 * values += delta on one wide cell, every count and stock indicator at once (counts, stock changes dated
 * in the period; never a distinct indicator, which is counted from facts at query time). Team cells (week → year) are stored once, under `as-recorded`: their values are the
 * same in both views, and the current view places a team where its record is today.
 */
export interface WideCellDelta extends CellKey, Placed {
  readonly values: Readonly<Record<string, number>>;
}

/** A materialised wide cell as a store holds it: the sum of its deltas, placed as its latest day. */
export interface WideCell extends CellKey, Placed {
  readonly values: Readonly<Record<string, number>>;
}

/** A team record with its current province (resolved on `since`), so queries need no unit list. */
export interface Model2Team extends TeamRecord {
  readonly provinceCode?: string;
}

export interface Model2Deltas {
  readonly factsInserted: readonly Fact[];
  /** Facts of earlier batches that a retraction in this batch removed. */
  readonly factIdsDeleted: readonly string[];
  readonly stockFacts: readonly StockFact[];
  readonly cells: readonly WideCellDelta[];
  /** In log order: the last one for a key wins. */
  readonly targets: readonly TargetSet[];
  readonly teams: readonly Model2Team[];
  readonly appliedEventIds: readonly string[];
}

/** A team's live facts and stock facts, as stored before the batch. */
export interface TeamHistory {
  readonly facts: readonly Fact[];
  readonly stocks: readonly StockFact[];
}

/** What the projector reads from the store, all as at the store's checkpoint (before the batch). */
export interface Model2Context {
  readonly resolve: UnitResolver;
  readonly isApplied: (eventId: string) => boolean;
  /** Called only for teams that relocate in the batch. */
  readonly teamHistory: (teamId: string) => TeamHistory;
}

export type Model2State = ProjectorState;

export interface Model2Result {
  readonly state: Model2State;
  readonly deltas: Model2Deltas;
}
