import { PERIOD_KINDS, parsePeriod, type PeriodKeys, type PeriodKind } from '@cdt/domain-shared';
import { KEY_SEPARATOR as SEP } from '../deltas';
import type { View } from '../units';
import type { Slot, SlotsByKind } from './cells';
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

/** The materialised cells of a place on a day, in one view, by period kind: its as-recorded chain, or its team's current chain before or after the batch. */
export type CellsOf = (view: View, place: Place, day: string, when: 'before' | 'after') => SlotsByKind;

/** Receives one distinct-count change: the subject entered (+1) or left (−1) a materialised cell. */
export type CrossingSink = (slot: Slot, indicator: string, delta: 1 | -1) => void;

/** One (indicator, subject) the batch loaded or touched. */
interface Subject {
  readonly indicator: string;
  readonly subject: string;
  /** As stored before the batch (the years loaded). */
  readonly before: Trail;
  /** Places the batch touched, copied from `before` on first touch; the others are as before. */
  readonly touched: Trail;
  /** Days whose count the batch changed, per place. */
  readonly changed: Map<Place, Set<string>>;
  /** Calendar years whose footprint the batch changed. */
  readonly years: Set<string>;
}

export class FootprintSet {
  private readonly places = new Map<string, Place>();
  /** indicator → subject → its trail. */
  private readonly subjects = new Map<string, Map<string, Subject>>();

  constructor(loaded: readonly Footprint[]) {
    for (const footprint of loaded) {
      const { before } = this.subjectOf(footprint.indicator, footprint.subject);
      for (const { teamId, communeCode, days } of footprint.places) {
        const place = this.place(teamId, communeCode);
        let map = before.get(place);
        if (!map) before.set(place, (map = new Map()));
        for (const day in days) map.set(day, days[day]);
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
    const entry = this.subjectOf(indicator, subject);
    let days = entry.touched.get(place);
    if (!days) entry.touched.set(place, (days = new Map(entry.before.get(place))));
    days.set(day, (days.get(day) ?? 0) + delta);
    let changedDays = entry.changed.get(place);
    if (!changedDays) entry.changed.set(place, (changedDays = new Set()));
    changedDays.add(day);
    entry.years.add(day.slice(0, 4));
  }

  /**
   * The distinct-count deltas of the batch: for each subject whose days changed positivity (and each
   * subject of a relocated team), the units present before and after in every period those days reach.
   */
  crossings(cellsOf: CellsOf, periodsOf: (day: string) => PeriodKeys, relocated: ReadonlySet<string>, sink: CrossingSink): void {
    for (const bySubject of this.subjects.values()) {
      for (const entry of bySubject.values()) {
        const { before, touched, changed } = entry;
        // Candidate periods: those of days that flipped (both views), and every day of a relocated team (current view).
        const candidates = new Candidates();
        for (const [place, days] of changed) {
          const was = before.get(place);
          const is = touched.get(place);
          for (const day of days) {
            if ((was?.get(day) ?? 0) > 0 !== (is?.get(day) ?? 0) > 0) candidates.mark(BOTH_VIEWS, periodsOf(day));
          }
        }
        if (relocated.size > 0) {
          for (const trail of [before, touched]) {
            for (const [place, days] of trail) {
              if (!relocated.has(place.teamId)) continue;
              for (const [day, count] of days) if (count > 0) candidates.mark(CURRENT_ONLY, periodsOf(day));
            }
          }
        }
        if (candidates.empty) continue;
        candidates.collect(before, undefined, cellsOf, periodsOf, 'before');
        candidates.collect(before, touched, cellsOf, periodsOf, 'after');
        candidates.crossings(entry.indicator, sink);
      }
    }
  }

  /** The changed footprints, whole, as they stand after the batch. */
  written(): Footprint[] {
    const out: Footprint[] = [];
    for (const bySubject of this.subjects.values()) {
      for (const entry of bySubject.values()) {
        if (entry.years.size === 0) continue;
        const after = afterOf(entry);
        for (const year of entry.years) {
          const places: FootprintPlace[] = [];
          for (const [place, days] of after) {
            const inYear: Record<string, number> = {};
            let any = false;
            for (const [day, count] of days) {
              if (count !== 0 && day.startsWith(year)) {
                inYear[day] = count;
                any = true;
              }
            }
            if (any) places.push({ teamId: place.teamId, communeCode: place.communeCode, days: inYear });
          }
          out.push({ indicator: entry.indicator, subject: entry.subject, year, places });
        }
      }
    }
    return out;
  }

  private subjectOf(indicator: string, subject: string): Subject {
    let bySubject = this.subjects.get(indicator);
    if (!bySubject) this.subjects.set(indicator, (bySubject = new Map()));
    let entry = bySubject.get(subject);
    if (!entry) bySubject.set(subject, (entry = { indicator, subject, before: new Map(), touched: new Map(), changed: new Map(), years: new Set() }));
    return entry;
  }
}

/** The subject's trail after the batch: its touched places over the ones it had. */
const afterOf = (entry: Subject): Trail => {
  if (entry.touched.size === 0) return entry.before;
  const after = new Map(entry.before);
  for (const [place, days] of entry.touched) after.set(place, days);
  return after;
};

const BOTH_VIEWS: readonly View[] = ['as-recorded', 'current'];
const CURRENT_ONLY: readonly View[] = ['current'];

/** One candidate period of one view: the cells the subject is present in, before and after the batch. */
interface Bucket {
  readonly view: View;
  readonly kind: PeriodKind;
  readonly key: string;
  /** The first day's cells are shared with the slot cache; copied before a second day adds to them. */
  before: readonly Slot[];
  after: readonly Slot[];
  owned: { before: boolean; after: boolean } | undefined;
}

const NONE: readonly Slot[] = [];

const holds = (slots: readonly Slot[], slot: Slot): boolean => {
  for (const other of slots) if (other.acc === slot.acc) return true;
  return false;
};

/**
 * A subject's candidate periods (a handful: the periods of a few flipped days, per view) and the units
 * present in each, in small arrays: most subjects flip on one day, and period keys come from one cached
 * object per day, so they compare cheaply.
 */
class Candidates {
  private readonly buckets: Bucket[] = [];

  get empty(): boolean {
    return this.buckets.length === 0;
  }

  mark(views: readonly View[], periods: PeriodKeys): void {
    for (const view of views) {
      for (const kind of PERIOD_KINDS) {
        const key = periods[kind];
        if (this.buckets.some((b) => b.key === key && b.kind === kind && b.view === view)) continue;
        this.buckets.push({ view, kind, key, before: NONE, after: NONE, owned: undefined });
      }
    }
  }

  /** Adds the cells of every positive day of the trail (its `touched` places over the others) that falls in a candidate period. */
  collect(trail: Trail, touched: Trail | undefined, cellsOf: CellsOf, periodsOf: (day: string) => PeriodKeys, when: 'before' | 'after'): void {
    if (touched) for (const [place, days] of touched) this.collectDays(place, days, cellsOf, periodsOf, when);
    for (const [place, days] of trail) if (!touched?.has(place)) this.collectDays(place, days, cellsOf, periodsOf, when);
  }

  private collectDays(place: Place, days: Days, cellsOf: CellsOf, periodsOf: (day: string) => PeriodKeys, when: 'before' | 'after'): void {
    for (const [day, count] of days) {
      if (count <= 0) continue;
      const periods = periodsOf(day);
      let recorded: SlotsByKind | undefined;
      let current: SlotsByKind | undefined;
      for (const bucket of this.buckets) {
        if (periods[bucket.kind] !== bucket.key) continue;
        const cells = bucket.view === 'as-recorded' ? (recorded ??= cellsOf('as-recorded', place, day, when)) : (current ??= cellsOf('current', place, day, when));
        const slots = cells[bucket.kind];
        const present = bucket[when];
        if (present.length === 0) {
          bucket[when] = slots;
          continue;
        }
        for (const slot of slots) {
          if (holds(bucket[when], slot)) continue;
          bucket.owned ??= { before: false, after: false };
          if (!bucket.owned[when]) {
            bucket[when] = [...bucket[when]];
            bucket.owned[when] = true;
          }
          (bucket[when] as Slot[]).push(slot);
        }
      }
    }
  }

  crossings(indicator: string, sink: CrossingSink): void {
    for (const { before, after } of this.buckets) {
      for (const slot of after) if (!holds(before, slot)) sink(slot, indicator, 1);
      for (const slot of before) if (!holds(after, slot)) sink(slot, indicator, -1);
    }
  }
}

