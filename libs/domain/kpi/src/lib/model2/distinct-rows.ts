import { periodKey as periodKeyOf, type PeriodKind } from '@cdt/domain-shared';
import { KEY_SEPARATOR as SEP } from '../deltas';
import { NATION_KEY, villageKey, type Level, type View } from '../units';
import type { Fact, FactPlace, Model2Team } from './types';

/**
 * Distinct counts of model 2 (ADR 0010, revised 2026-11-26): not materialised, but counted from the live
 * facts when asked. A distinct figure of a (unit, period) is the number of distinct subjects of one
 * distinct indicator (households reached, active members, active teams, citizens assisted…) among the
 * facts of that period counted under that unit: exact by construction, nothing to keep in step with
 * retractions or relocations. Every model-2 store and the in-memory model count them through
 * `distinctFigureRows`, so the rule lives here once.
 */

/** One distinct figure: `value` distinct subjects of `indicator` under (level, unit) in the period (always > 0). */
export interface DistinctRow {
  readonly level: Level;
  readonly unitKey: string;
  readonly periodKey: string;
  readonly indicator: string;
  readonly value: number;
}

/**
 * As recorded, a fact counts where it was recorded (itself). In the current view it counts under its
 * team's record as it is now (commune, village, current province, no district), or, for a team the model
 * does not know, under its own commune, village and province (never a district).
 */
export const factPlace = (at: FactPlace, view: View, team: Model2Team | undefined): FactPlace => {
  if (view === 'as-recorded') return at;
  if (team) return currentPlaceOf(team);
  if (at.districtCode === undefined) return at;
  const { districtCode: _district, ...withoutDistrict } = at;
  return withoutDistrict;
};

/** One place object per team record, so a team's facts share it (records are replaced, never mutated). */
const currentPlaces = new WeakMap<Model2Team, FactPlace>();
const currentPlaceOf = (team: Model2Team): FactPlace => {
  let place = currentPlaces.get(team);
  if (!place) {
    place =
      team.provinceCode === undefined
        ? { teamId: team.teamId, communeCode: team.communeCode, village: team.village, day: team.since }
        : { teamId: team.teamId, communeCode: team.communeCode, village: team.village, provinceCode: team.provinceCode, day: team.since };
    currentPlaces.set(team, place);
  }
  return place;
};

/** The unit of a place at a level, or undefined when it has none there (a district after the reform or in the current view, an unknown province). */
export const unitKeyAt = (place: FactPlace, level: Level): string | undefined => {
  switch (level) {
    case 'team':
      return place.teamId;
    case 'village':
      return villageKey(place.communeCode, place.village);
    case 'commune':
      return place.communeCode;
    case 'district':
      return place.districtCode;
    case 'province':
      return place.provinceCode;
    case 'nation':
      return NATION_KEY;
    default: {
      const _exhaustive: never = level;
      return _exhaustive;
    }
  }
};

/**
 * The distinct figures of one view and period kind at the given levels, counted from facts: for each
 * fact of the period (`periodKey`; every period of the kind when undefined), its unit at each level in
 * that view (factPlace, unitKeyAt), and per distinct indicator the set of its subjects. Rows come out per
 * (level, unit, period, indicator) with the size of the set, in the order first met; nothing is returned
 * for a set that stayed empty.
 *
 * `facts` are the live facts (retracted ones deleted), read as the store holds them; `teamOf` is asked
 * only in the current view, for the team's record now. Cost: one Set per (unit, period, indicator) and
 * one key string per (fact, level); facts outside the period are skipped after one look-up of their day.
 */
export const distinctFigureRows = (
  facts: Iterable<Fact>,
  teamOf: (teamId: string) => Model2Team | undefined,
  view: View,
  periodKind: PeriodKind,
  levels: readonly Level[],
  periodKey?: string,
): DistinctRow[] => {
  // The district level exists only as recorded.
  const asked = view === 'current' ? levels.filter((level) => level !== 'district') : [...levels];
  // level position → `unit SEP period` → indicator → subjects.
  const sets = asked.map(() => new Map<string, Map<string, Set<string>>>());
  // day → its period key, or null when outside the asked period.
  const periodOfDay = new Map<string, string | null>();
  for (const fact of facts) {
    let period = periodOfDay.get(fact.day);
    if (period === undefined) {
      const key = periodKeyOf(periodKind, fact.day);
      periodOfDay.set(fact.day, (period = periodKey === undefined || key === periodKey ? key : null));
    }
    if (period === null) continue;
    let any = false;
    for (const _indicator in fact.subjects) {
      any = true;
      break;
    }
    if (!any) continue;
    const place = factPlace(fact, view, view === 'current' ? teamOf(fact.teamId) : undefined);
    for (let i = 0; i < asked.length; i++) {
      const unitKey = unitKeyAt(place, asked[i]);
      if (unitKey === undefined) continue;
      const id = unitKey + SEP + period;
      let byIndicator = sets[i].get(id);
      if (!byIndicator) sets[i].set(id, (byIndicator = new Map()));
      for (const indicator in fact.subjects) {
        const subjects = fact.subjects[indicator];
        if (subjects.length === 0) continue;
        let set = byIndicator.get(indicator);
        if (!set) byIndicator.set(indicator, (set = new Set()));
        for (const subject of subjects) set.add(subject);
      }
    }
  }
  const rows: DistinctRow[] = [];
  for (let i = 0; i < asked.length; i++) {
    for (const [id, byIndicator] of sets[i]) {
      const cut = id.lastIndexOf(SEP);
      const unitKey = id.slice(0, cut);
      const period = id.slice(cut + SEP.length);
      for (const [indicator, set] of byIndicator) if (set.size > 0) rows.push({ level: asked[i], unitKey, periodKey: period, indicator, value: set.size });
    }
  }
  return rows;
};
