import { PERIOD_KINDS, parsePeriod, type PeriodKeys, type PeriodKind } from '@cdt/domain-shared';
import { KEY_SEPARATOR as SEP } from '../deltas';
import type { UnitAt, View } from '../units';
import type { Footprint, FootprintKey, FootprintPlace } from './types';

/**
 * Subject footprints (ADR 0010, decision 4): per (distinct indicator, subject, calendar year), the days
 * and activity counts under each (team, commune). A subject is in a materialised cell when a day of the
 * cell's period has a positive count under a (team, commune) whose chain holds the cell's unit. The
 * batch's distinct-count deltas are the presence after the batch minus the presence before it.
 */

export const footprintKeyString = (key: FootprintKey): string => key.indicator + SEP + key.subject + SEP + key.year;

const yearsMemo = new Map<string, readonly string[]>();
/** The calendar years whose footprints decide a day's cells: its own, and the other one its ISO week reaches. */
export const footprintYears = (day: string, weekKey: string): readonly string[] => {
  let years = yearsMemo.get(weekKey);
  if (!years) {
    const week = parsePeriod(weekKey);
    years = week ? [...new Set([week.first.slice(0, 4), week.last.slice(0, 4)])] : [];
    yearsMemo.set(weekKey, years);
  }
  return years.includes(day.slice(0, 4)) ? years : [day.slice(0, 4), ...years];
};

/** A (team, commune) a subject was counted under. */
export interface Place {
  readonly id: string;
  readonly teamId: string;
  readonly communeCode: string;
}

/** A subject's days under each place, across the years loaded (day → count). */
type Days = Map<string, number>;
type Trail = Map<Place, Days>;

/** The units of a place on a day, in one view, at the materialised levels only. */
export type UnitsOf = (view: View, place: Place, day: string, when: 'before' | 'after') => readonly UnitAt[];

export interface Crossing {
  readonly view: View;
  readonly unit: UnitAt;
  readonly periodKind: PeriodKind;
  readonly periodKey: string;
  readonly indicator: string;
  readonly delta: 1 | -1;
}

export class FootprintSet {
  private readonly places = new Map<string, Place>();
  private readonly before = new Map<string, Trail>();
  private readonly after = new Map<string, Trail>();
  /** subject key → (indicator, subject) */
  private readonly subjects = new Map<string, { indicator: string; subject: string }>();
  /** Footprints the batch changed (their key strings → key). */
  private readonly dirty = new Map<string, FootprintKey>();
  /** subject key → place → days whose count the batch changed. */
  private readonly changed = new Map<string, Map<Place, Set<string>>>();

  constructor(loaded: readonly Footprint[]) {
    for (const footprint of loaded) {
      const trail = this.trail(this.before, footprint.indicator, footprint.subject);
      for (const { teamId, communeCode, days } of footprint.places) {
        const place = this.place(teamId, communeCode);
        let map = trail.get(place);
        if (!map) trail.set(place, (map = new Map()));
        for (const [day, count] of Object.entries(days)) map.set(day, count);
      }
    }
  }

  place(teamId: string, communeCode: string): Place {
    const id = teamId + SEP + communeCode;
    let place = this.places.get(id);
    if (!place) this.places.set(id, (place = { id, teamId, communeCode }));
    return place;
  }

  /** count += delta for (indicator, subject) under a place on a day. */
  add(indicator: string, subject: string, place: Place, day: string, delta: number): void {
    const key = indicator + SEP + subject;
    let trail = this.after.get(key);
    if (!trail) {
      trail = new Map([...(this.before.get(key) ?? new Map<Place, Days>())].map(([p, days]) => [p, new Map(days)]));
      this.after.set(key, trail);
      this.subjects.set(key, { indicator, subject });
    }
    let days = trail.get(place);
    if (!days) trail.set(place, (days = new Map()));
    days.set(day, (days.get(day) ?? 0) + delta);
    let byPlace = this.changed.get(key);
    if (!byPlace) this.changed.set(key, (byPlace = new Map()));
    let changedDays = byPlace.get(place);
    if (!changedDays) byPlace.set(place, (changedDays = new Set()));
    changedDays.add(day);
    const year = day.slice(0, 4);
    this.dirty.set(key + SEP + year, { indicator, subject, year });
  }

  /** The subjects (indicator, subject) loaded with a day under one of these teams, for a relocation. */
  subjectsUnder(teamIds: ReadonlySet<string>): { indicator: string; subject: string }[] {
    const out: { indicator: string; subject: string }[] = [];
    for (const map of [this.before, this.after]) {
      for (const [key, trail] of map) {
        if ([...trail.keys()].some((place) => teamIds.has(place.teamId))) {
          const [indicator, subject] = key.split(SEP);
          out.push({ indicator, subject });
        }
      }
    }
    return out;
  }

  /**
   * The distinct-count deltas of the batch: for each subject whose days changed positivity (and each
   * subject of a relocated team), the units present before and after in every period those days reach.
   */
  crossings(unitsOf: UnitsOf, periodsOf: (day: string) => PeriodKeys, relocated: ReadonlySet<string>): Crossing[] {
    const out: Crossing[] = [];
    const keys = new Set(this.changed.keys());
    for (const { indicator, subject } of this.subjectsUnder(relocated)) keys.add(indicator + SEP + subject);
    for (const key of [...keys].sort()) {
      const before = this.before.get(key) ?? new Map<Place, Days>();
      const after = this.after.get(key) ?? before;
      const [indicator] = key.split(SEP, 1);
      // Candidate periods per (view, kind): those of days that flipped, and every day of a relocated team.
      const candidates: Record<View, Record<PeriodKind, Set<string>>> = { 'as-recorded': emptyKinds(), current: emptyKinds() };
      const mark = (views: readonly View[], day: string) => {
        const periods = periodsOf(day);
        for (const view of views) for (const kind of PERIOD_KINDS) candidates[view][kind].add(periods[kind]);
      };
      for (const [place, days] of this.changed.get(key) ?? []) {
        for (const day of days) {
          if ((before.get(place)?.get(day) ?? 0) > 0 !== (after.get(place)?.get(day) ?? 0) > 0) mark(BOTH_VIEWS, day);
        }
      }
      for (const trail of [before, after]) {
        for (const [place, days] of trail) {
          if (!relocated.has(place.teamId)) continue;
          for (const [day, count] of days) if (count > 0) mark(CURRENT_ONLY, day);
        }
      }
      const was = present(before, candidates, unitsOf, periodsOf, 'before');
      const is = present(after, candidates, unitsOf, periodsOf, 'after');
      for (const [id, cell] of is) if (!was.has(id)) out.push({ ...cell, indicator, delta: 1 });
      for (const [id, cell] of was) if (!is.has(id)) out.push({ ...cell, indicator, delta: -1 });
    }
    return out;
  }

  /** The changed footprints, whole, as they stand after the batch. */
  written(): Footprint[] {
    return [...this.dirty.values()].map(({ indicator, subject, year }) => {
      const trail = this.after.get(indicator + SEP + subject) ?? new Map<Place, Days>();
      const places: FootprintPlace[] = [];
      for (const [place, days] of [...trail].sort(([a], [b]) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
        const inYear = [...days].filter(([day, count]) => count !== 0 && day.startsWith(year)).sort(([a], [b]) => (a < b ? -1 : 1));
        if (inYear.length > 0) places.push({ teamId: place.teamId, communeCode: place.communeCode, days: Object.fromEntries(inYear) });
      }
      return { indicator, subject, year, places };
    });
  }

  private trail(map: Map<string, Trail>, indicator: string, subject: string): Trail {
    const key = indicator + SEP + subject;
    let trail = map.get(key);
    if (!trail) map.set(key, (trail = new Map()));
    return trail;
  }
}

const BOTH_VIEWS: readonly View[] = ['as-recorded', 'current'];
const CURRENT_ONLY: readonly View[] = ['current'];

const emptyKinds = (): Record<PeriodKind, Set<string>> => ({ day: new Set(), week: new Set(), month: new Set(), quarter: new Set(), year: new Set() });

/** The cells (among the candidate periods) in which the subject is present, by cell id. */
const present = (
  trail: Trail,
  candidates: Record<View, Record<PeriodKind, Set<string>>>,
  unitsOf: UnitsOf,
  periodsOf: (day: string) => PeriodKeys,
  when: 'before' | 'after',
): Map<string, Omit<Crossing, 'indicator' | 'delta'>> => {
  const cells = new Map<string, Omit<Crossing, 'indicator' | 'delta'>>();
  for (const [place, days] of trail) {
    for (const [day, count] of days) {
      if (count <= 0) continue;
      const periods = periodsOf(day);
      for (const view of BOTH_VIEWS) {
        let units: readonly UnitAt[] | undefined;
        for (const kind of PERIOD_KINDS) {
          const periodKey = periods[kind];
          if (!candidates[view][kind].has(periodKey)) continue;
          units ??= unitsOf(view, place, day, when);
          for (const unit of units) {
            if (unit.level === 'team' && kind === 'day') continue;
            const id = view + SEP + unit.level + SEP + unit.key + SEP + kind + SEP + periodKey;
            if (!cells.has(id)) cells.set(id, { view, unit, periodKind: kind, periodKey });
          }
        }
      }
    }
  }
  return cells;
};
