import type { PeriodKind } from '@cdt/domain-shared';
import type { Placed, TargetSet, TeamRecord } from '../deltas';
import type { ProjectorState } from '../projector';
import type { Level, UnitResolver, View } from '../units';

/**
 * KPI model 2 (ADR 0010): facts, subject footprints and wide cells. The projector turns a batch into
 * these deltas; a store applies them with its checkpoint and answers the same queries as model 1.
 */

/** One counted activity as recorded: the finest grain and the evidence of every figure. A retraction deletes it. */
export interface Fact {
  readonly activityId: string;
  readonly teamId: string;
  readonly communeCode: string;
  readonly village: string;
  /** As recorded: the commune's district and province on `day` (absent when the lists do not know it). */
  readonly districtCode?: string;
  readonly provinceCode?: string;
  readonly day: string;
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
export interface StockFact {
  readonly eventId: string;
  readonly teamId: string;
  readonly communeCode: string;
  readonly village: string;
  readonly districtCode?: string;
  readonly provinceCode?: string;
  readonly day: string;
  readonly indicator: string;
  readonly delta: number;
  readonly scope: 'both' | 'as-recorded-above-team';
}

export interface FootprintKey {
  /** A distinct indicator code. */
  readonly indicator: string;
  readonly subject: string;
  /** Calendar year of the days it holds. */
  readonly year: string;
}

/** Where one subject was counted under one (team, commune): activities per day. */
export interface FootprintPlace {
  readonly teamId: string;
  readonly communeCode: string;
  /** day → number of live activities; absent = 0. */
  readonly days: Readonly<Record<string, number>>;
}

/** A subject's footprint under one distinct indicator in one calendar year; written back whole. */
export interface Footprint extends FootprintKey {
  /** Empty when nothing is left (a store may delete it). */
  readonly places: readonly FootprintPlace[];
}

export interface CellKey {
  readonly view: View;
  readonly level: Level;
  readonly unitKey: string;
  readonly periodKind: PeriodKind;
  readonly periodKey: string;
}

/**
 * values += delta on one wide cell, every indicator at once (counts, stock changes dated in the period,
 * distinct counts). Team cells (week → year) are stored once, under `as-recorded`: their values are the
 * same in both views, and the current view places a team where its record is today.
 */
export interface WideCellDelta extends CellKey, Placed {
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
  /** Every footprint the batch changed, as it stands at the batch's end. */
  readonly footprints: readonly Footprint[];
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
  /** The stored footprints among these keys (absent ones are simply not returned). Called once per batch. */
  readonly footprintsOf: (keys: readonly FootprintKey[]) => readonly Footprint[];
  /** Called only for teams that relocate in the batch. */
  readonly teamHistory: (teamId: string) => TeamHistory;
}

export type Model2State = ProjectorState;

export interface Model2Result {
  readonly state: Model2State;
  readonly deltas: Model2Deltas;
}
