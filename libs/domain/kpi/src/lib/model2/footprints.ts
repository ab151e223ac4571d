import { parsePeriod } from '@cdt/domain-shared';
import { KEY_SEPARATOR as SEP } from '../deltas';
import type { View } from '../units';
import { KINDS, indicatorIndex, type PeriodList, type Slot } from './cells';
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

/** The materialised cells of a place on a day, in one view: its as-recorded chain's, or its team's current chain's before or after the batch. */
export type CellsOf = (view: View, place: Place, day: string, when: 'before' | 'after') => readonly Slot[];

/** Receives one distinct-count change: the subject entered (+1) or left (−1) a materialised cell; `index` is the indicator's (indicatorIndex). */
export type CrossingSink = (slot: Slot, index: number, delta: 1 | -1) => void;

/**
 * One (indicator, subject) the batch loaded or touched, as parallel arrays of (place, day) pairs (most
 * subjects have a few): grouped by place in the order first seen, days in the order first seen within
 * a place, as the stored footprints list them and the batch adds them.
 */
interface Subject {
  readonly indicator: string;
  /** The indicator's position in a cell's vector. */
  readonly index: number;
  readonly subject: string;
  readonly places: Place[];
  readonly days: string[];
  /** Count as stored before the batch (the years loaded); 0 for a pair the batch added. */
  readonly before: number[];
  /** Count after the batch. */
  readonly after: number[];
  /** Places the batch touched, in the order first touched. */
  readonly touched: Place[];
  /** Calendar years whose footprint the batch changed, in the order first changed. */
  readonly years: string[];
  /** Built once the subject has more than SCAN_LIMIT pairs. */
  lookup: PairLookup | undefined;
}

export class FootprintSet {
  /** team → commune → place. */
  private readonly places = new Map<string, Map<string, Place>>();
  /** indicator → subject → its pairs. */
  private readonly subjects = new Map<string, Map<string, Subject>>();
  /** The same subjects, in the order first seen. */
  private readonly entries: Subject[] = [];

  constructor(loaded: readonly Footprint[]) {
    for (const footprint of loaded) {
      let entry = this.find(footprint.indicator, footprint.subject);
      for (const { teamId, communeCode, days } of footprint.places) {
        const place = this.place(teamId, communeCode);
        for (const day in days) {
          if (!entry) {
            entry = this.create(footprint.indicator, footprint.subject, place, day, days[day], days[day], [], []);
            continue;
          }
          const at = pairOf(entry, place, day);
          entry.before[at] = days[day];
          entry.after[at] = days[day];
        }
      }
    }
  }

  place(teamId: string, communeCode: string): Place {
    let byCommune = this.places.get(teamId);
    if (!byCommune) this.places.set(teamId, (byCommune = new Map()));
    let place = byCommune.get(communeCode);
    if (!place) byCommune.set(communeCode, (place = { id: teamId + SEP + communeCode, teamId, communeCode }));
    return place;
  }

  /** count += delta for (indicator, subject) under a place on a day. */
  add(indicator: string, subject: string, place: Place, day: string, delta: number): void {
    const year = day.slice(0, 4);
    const entry = this.find(indicator, subject);
    if (!entry) {
      this.create(indicator, subject, place, day, 0, delta, [place], [year]);
      return;
    }
    entry.after[pairOf(entry, place, day)] += delta;
    if (!entry.touched.includes(place)) entry.touched.push(place);
    if (!entry.years.includes(year)) entry.years.push(year);
  }

  /**
   * The distinct-count deltas of the batch: for each subject whose days changed positivity (and each
   * subject of a relocated team), the cells present before and after in every period those days reach.
   * Cells of different candidate periods are different cells, so one pass per subject marks them all:
   * present before, present after (sent +1 on first sight unless present before), then those present
   * before only (sent −1). Marks are stamps on the cells, so nothing is collected per subject.
   */
  crossings(cellsOf: CellsOf, periodsOf: (day: string) => PeriodList, relocated: ReadonlySet<string>, sink: CrossingSink): void {
    const candidates = new Candidates();
    const visit: Visit = { stamp: 0, index: 0, sink, cellsOf, periodsOf, candidates };
    for (const entry of this.entries) {
      visit.index = entry.index;
      const { places, days, before, after } = entry;
      // Candidate periods: those of days that flipped (both views), and every day of a relocated team (current view).
      candidates.clear();
      let anyBefore = false;
      for (let i = 0; i < days.length; i++) {
        if (before[i] > 0) anyBefore = true;
        if (before[i] > 0 !== after[i] > 0) candidates.mark(BOTH_VIEWS, periodsOf(days[i]));
        else if (relocated.size > 0 && after[i] > 0 && relocated.has(places[i].teamId)) candidates.mark(CURRENT_ONLY, periodsOf(days[i]));
      }
      if (candidates.empty) continue;
      visit.stamp++;
      if (anyBefore) visitPairs(visit, entry, before, 'before', SEEN_BEFORE, undefined);
      for (const place of entry.touched) visitPairs(visit, entry, after, 'after', ENTERED, place);
      visitPairs(visit, entry, after, 'after', ENTERED, entry.touched);
      if (anyBefore) visitPairs(visit, entry, before, 'before', LEFT, undefined);
    }
  }

  /** The changed footprints, whole, as they stand after the batch. */
  written(): Footprint[] {
    const out: Footprint[] = [];
    for (const entry of this.entries) {
      if (entry.years.length === 0) continue;
      const { places: placeOf, days, after } = entry;
      for (const year of entry.years) {
        const places: FootprintPlace[] = [];
        for (let start = 0; start < days.length; ) {
          const place = placeOf[start];
          let end = start;
          const inYear: Record<string, number> = {};
          let any = false;
          for (; end < days.length && placeOf[end] === place; end++) {
            if (after[end] !== 0 && days[end].startsWith(year)) {
              inYear[days[end]] = after[end];
              any = true;
            }
          }
          if (any) places.push({ teamId: place.teamId, communeCode: place.communeCode, days: inYear });
          start = end;
        }
        out.push({ indicator: entry.indicator, subject: entry.subject, year, places });
      }
    }
    return out;
  }

  private find(indicator: string, subject: string): Subject | undefined {
    return this.subjects.get(indicator)?.get(subject);
  }

  /** A subject with its first pair, in arrays of one (most subjects keep one pair: no room reserved for more). */
  private create(indicator: string, subject: string, place: Place, day: string, before: number, after: number, touched: Place[], years: string[]): Subject {
    let bySubject = this.subjects.get(indicator);
    if (!bySubject) this.subjects.set(indicator, (bySubject = new Map()));
    const entry: Subject = { indicator, index: indicatorIndex(indicator), subject, places: [place], days: [day], before: [before], after: [after], touched, years, lookup: undefined };
    bySubject.set(subject, entry);
    this.entries.push(entry);
    return entry;
  }
}

/** Past this many pairs a subject (a member or team active most days) finds its pairs through a map, not a scan. */
const SCAN_LIMIT = 16;

/** Where each place's pairs sit in a subject's arrays: day → index, and the place's last index. */
type PairLookup = Map<Place, { readonly at: Map<string, number>; last: number }>;

const lookupOf = (entry: Subject): PairLookup => {
  const lookup: PairLookup = new Map();
  for (let i = 0; i < entry.days.length; i++) {
    let ofPlace = lookup.get(entry.places[i]);
    if (!ofPlace) lookup.set(entry.places[i], (ofPlace = { at: new Map(), last: i }));
    ofPlace.at.set(entry.days[i], i);
    ofPlace.last = i;
  }
  return lookup;
};

/** The index of a subject's (place, day) pair, added (count 0) after the place's last pair, or at the end, when new. */
const pairOf = (entry: Subject, place: Place, day: string): number => {
  const { places, days } = entry;
  let last = -1;
  if (days.length > SCAN_LIMIT) {
    entry.lookup ??= lookupOf(entry);
    const ofPlace = entry.lookup.get(place);
    const found = ofPlace?.at.get(day);
    if (found !== undefined) return found;
    last = ofPlace ? ofPlace.last : -1;
  } else {
    for (let i = 0; i < days.length; i++) {
      if (places[i] !== place) continue;
      if (days[i] === day) return i;
      last = i;
    }
  }
  const at = last === -1 ? days.length : last + 1;
  if (at === days.length) {
    places.push(place);
    days.push(day);
    entry.before.push(0);
    entry.after.push(0);
    const ofPlace = entry.lookup?.get(place);
    if (ofPlace) {
      ofPlace.at.set(day, at);
      ofPlace.last = at;
    } else entry.lookup?.set(place, { at: new Map([[day, at]]), last: at });
  } else {
    places.splice(at, 0, place);
    days.splice(at, 0, day);
    entry.before.splice(at, 0, 0);
    entry.after.splice(at, 0, 0);
    // Later pairs moved: the lookup is rebuilt when next needed.
    entry.lookup = undefined;
  }
  return at;
};

const BOTH_VIEWS: readonly View[] = ['as-recorded', 'current'];
const CURRENT_ONLY: readonly View[] = ['current'];

/**
 * A subject's candidate periods, per view and kind (at view × KINDS.length + kind): a handful of keys
 * (the periods of a few flipped days), kept in arrays reused from subject to subject.
 */
class Candidates {
  /** Keys by view × KINDS.length + kind; only the first `sizes[i]` of each are current (the arrays are reused). */
  readonly keys: string[][] = [...VIEWS, ...VIEWS].flatMap(() => KINDS.map(() => []));
  readonly sizes: number[] = this.keys.map(() => 0);
  empty = true;

  clear(): void {
    if (this.empty) return;
    this.sizes.fill(0);
    this.empty = true;
  }

  mark(views: readonly View[], periods: PeriodList): void {
    for (const view of views) {
      const offset = view === 'as-recorded' ? 0 : KINDS.length;
      for (let kind = 0; kind < periods.length; kind++) {
        if (!this.has(offset + kind, periods[kind])) this.keys[offset + kind][this.sizes[offset + kind]++] = periods[kind];
      }
    }
    this.empty = false;
  }

  has(at: number, key: string): boolean {
    const keys = this.keys[at];
    for (let i = 0; i < this.sizes[at]; i++) if (keys[i] === key) return true;
    return false;
  }
}

const VIEWS: readonly View[] = BOTH_VIEWS;

/** What a pass over a subject's days does with each cell it reaches in a candidate period. */
const SEEN_BEFORE = 0;
const ENTERED = 1;
const LEFT = 2;
type Pass = typeof SEEN_BEFORE | typeof ENTERED | typeof LEFT;

interface Visit {
  stamp: number;
  /** The indicator's position in a cell's vector. */
  index: number;
  readonly sink: CrossingSink;
  readonly cellsOf: CellsOf;
  readonly periodsOf: (day: string) => PeriodList;
  readonly candidates: Candidates;
}

/**
 * Runs one pass over a subject's positive pairs (counts `counts`): those of one place (`only` a place),
 * of the places not in a list (`only` a list), or all. Each cell is acted on at its first sight in the pass.
 */
const visitPairs = (visit: Visit, entry: Subject, counts: readonly number[], when: 'before' | 'after', pass: Pass, only: Place | readonly Place[] | undefined): void => {
  const { stamp } = visit;
  const { candidates } = visit;
  const kinds = KINDS.length;
  const { places, days } = entry;
  for (let i = 0; i < days.length; i++) {
    if (counts[i] <= 0) continue;
    const place = places[i];
    if (only !== undefined && (Array.isArray(only) ? only.includes(place) : only !== place)) continue;
    const periods = visit.periodsOf(days[i]);
    for (let v = 0; v < VIEWS.length; v++) {
      // The kinds whose period of this day is a candidate, as bits by position in KINDS.
      let kindsMask = 0;
      for (let kind = 0; kind < kinds; kind++) if (candidates.has(v * kinds + kind, periods[kind])) kindsMask |= 1 << kind;
      if (kindsMask === 0) continue;
      for (const slot of visit.cellsOf(VIEWS[v], place, days[i], when)) {
        const acc = slot.acc;
        if ((kindsMask & (1 << acc.kindIndex)) === 0) continue;
        if (pass === SEEN_BEFORE) acc.seenBefore = stamp;
        else if (pass === ENTERED) {
          if (acc.seenAfter === stamp) continue;
          acc.seenAfter = stamp;
          if (acc.seenBefore !== stamp) visit.sink(slot, visit.index, 1);
        } else if (acc.seenAfter !== stamp && acc.left !== stamp) {
          acc.left = stamp;
          visit.sink(slot, visit.index, -1);
        }
      }
    }
  }
};
