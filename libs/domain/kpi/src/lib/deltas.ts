import type { PeriodKind } from '@cdt/domain-shared';
import type { Level, Placement, View } from './units';

/**
 * What one batch of events changes in the read model: additive deltas only, so a batch's deltas can
 * be merged, applied in any order, and written with the checkpoint in one statement set.
 */

export interface FigureKey {
  readonly view: View;
  readonly level: Level;
  readonly unitKey: string;
  readonly periodKind: PeriodKind;
  readonly periodKey: string;
  readonly indicator: string;
}

/**
 * Where a row sits (its ancestors), and the day that was resolved for. A unit can sit differently in
 * one period (a commune lost its district on 2025-07-01; a team moved): the latest `placedOn` wins,
 * whatever order deltas are merged or applied in.
 */
export interface Placed {
  readonly placement: Placement;
  readonly placedOn: string;
}

export const laterPlaced = (current: Placed | undefined, next: Placed): Placed =>
  current === undefined || next.placedOn >= current.placedOn ? next : current;

/** value += delta on a count or stock row; the row's placement is (re)written with it. */
export interface CountDelta extends FigureKey, Placed {
  readonly delta: number;
}

/**
 * refcount += delta for one subject under a distinct indicator. The distinct count of the row moves
 * only when a subject's refcount crosses 0 ↔ positive, so retracting one of two visits to a household
 * leaves it reached, and retracting both does not.
 */
export interface RefDelta extends FigureKey, Placed {
  readonly subject: string;
  readonly delta: number;
}

/** A target (chỉ tiêu) for a unit code; a later one for the same key replaces it. */
export interface TargetSet {
  readonly level: Level;
  readonly unitKey: string;
  readonly indicator: string;
  readonly period: string;
  readonly value: number;
}

/** The projector's memory of a team: where it is now and who is in it (written with the batch). */
export interface TeamRecord {
  readonly teamId: string;
  readonly communeCode: string;
  readonly village: string;
  /** First day in the current unit. */
  readonly since: string;
  readonly status: 'active' | 'dissolved';
  /** Current members → youth-union flag. */
  readonly members: Readonly<Record<string, boolean>>;
}

export interface KpiDeltas {
  readonly counts: readonly CountDelta[];
  readonly refs: readonly RefDelta[];
  /** In log order: the last one for a key wins. */
  readonly targets: readonly TargetSet[];
  /** Teams whose record changed in the batch, as they stand at its end. */
  readonly teams: readonly TeamRecord[];
  /** Every event id the batch took into account, so a redelivery is recognised and skipped. */
  readonly appliedEventIds: readonly string[];
}

/** Joins the parts of a row key (unit keys and village names never contain it). */
export const KEY_SEPARATOR = '\u001f';
const SEP = KEY_SEPARATOR;

/** Just the key of a row that carries more (a refcount's subject, a figure's value). */
export const figureKeyOf = (key: FigureKey): FigureKey => ({
  view: key.view,
  level: key.level,
  unitKey: key.unitKey,
  periodKind: key.periodKind,
  periodKey: key.periodKey,
  indicator: key.indicator,
});

export const figureKeyString = (key: FigureKey): string =>
  [key.view, key.level, key.unitKey, key.periodKind, key.periodKey, key.indicator].join(SEP);

export const refKeyString = (key: FigureKey & { subject: string }): string => figureKeyString(key) + SEP + key.subject;
