import type { AdminUnit, AdminUnits, Hierarchy } from '@cdt/admin-units';
import { LAST_DAY_BEFORE_REFORM, REFORM_DATE, hierarchyOn } from '@cdt/admin-units';
import { NATION_KEY, type Level, type View } from '@cdt/domain-kpi';
import type { PeriodBounds } from '@cdt/domain-shared';
import { todaysPlaceOf } from '@cdt/registry-feature';

/** A unit a KPI question names, resolved against the official lists (or the registry, for a team). */
export interface KpiUnit {
  readonly level: Level;
  /** The read model's key: `VN`, an official code, `<commune>/<village>`, or a team id. */
  readonly unitKey: string;
  readonly name: string;
  /** The official hierarchy the code was found in (province, district, commune; a village's commune). */
  readonly hierarchy?: Hierarchy;
  /** Where the unit sits on today's map, which is what officers' tokens name (empty for the nation). */
  readonly place: { readonly provinceCode?: string; readonly communeCode?: string };
}

const OFFICIAL_LEVELS: readonly Level[] = ['province', 'district', 'commune'];
export const isOfficialLevel = (level: Level): level is 'province' | 'district' | 'commune' => OFFICIAL_LEVELS.includes(level);

/** A day on which a hierarchy is in force, to ask AdminUnits (which reads every code on a date). */
export const dayOf = (hierarchy: Hierarchy): string => (hierarchy === '2025' ? REFORM_DATE : LAST_DAY_BEFORE_REFORM);

/**
 * Which hierarchies a code may be read in for a view and a period. As recorded: the hierarchy of the
 * period's last day, then of its first (a period straddling 2025-07-01 holds figures of both).
 * Current units: today's hierarchy, then the old one for teams that were never relocated.
 */
export const hierarchiesFor = (view: View, period: PeriodBounds): Hierarchy[] =>
  view === 'current' ? ['2025', 'pre-2025'] : [...new Set([hierarchyOn(period.last), hierarchyOn(period.first)])];

/**
 * The official unit lists seen from the KPI side: find a code at a level, name it, count its communes
 * (the denominator of commune coverage), list its official children (so a commune without any activity
 * still shows in a drill-down, at 0), and say which of today's provinces it lies in.
 */
export class KpiUnitDirectory {
  private readonly todaysProvinceOfOld = new Map<string, string | undefined>();
  private readonly communeCounts = new Map<string, number>();

  constructor(private readonly units: AdminUnits) {}

  official(level: Level, code: string, hierarchies: readonly Hierarchy[]): AdminUnit | undefined {
    for (const hierarchy of hierarchies) {
      const unit = this.units.unitIn(hierarchy, code);
      if (unit?.level === level) return unit;
    }
    return undefined;
  }

  nation(hierarchy: Hierarchy): KpiUnit {
    return { level: 'nation', unitKey: NATION_KEY, name: 'Việt Nam', hierarchy, place: {} };
  }

  /** An official unit as a KpiUnit, with its place on today's map. */
  kpiUnitOf(unit: AdminUnit): KpiUnit {
    const base = { level: unit.level, unitKey: unit.code, name: unit.name, hierarchy: unit.hierarchy };
    if (unit.level === 'commune') return { ...base, place: todaysPlaceOf(this.units, unit.code, dayOf(unit.hierarchy)) };
    const provinceCode = unit.hierarchy === '2025' ? unit.provinceCode : this.todaysProvinceOf(unit.provinceCode);
    return { ...base, place: provinceCode === undefined ? {} : { provinceCode } };
  }

  /** The name of a child found only in the read model (a unit of the other hierarchy, a village, a team). */
  nameOf(level: Level, unitKey: string, hierarchies: readonly Hierarchy[]): string {
    if (level === 'nation') return 'Việt Nam';
    if (isOfficialLevel(level)) return this.official(level, unitKey, [...hierarchies, '2025', 'pre-2025'])?.name ?? unitKey;
    if (level === 'village') return unitKey.slice(unitKey.indexOf('/') + 1);
    return unitKey;
  }

  /** Number of official communes under a unit in its hierarchy; a commune counts itself. */
  communesIn(unit: Pick<KpiUnit, 'level' | 'unitKey' | 'hierarchy'>): number | undefined {
    if (unit.hierarchy === undefined) return undefined;
    if (unit.level === 'nation') return this.units.counts(unit.hierarchy).communes;
    if (unit.level === 'commune') return 1;
    if (!isOfficialLevel(unit.level)) return undefined;
    const key = `${unit.hierarchy}:${unit.unitKey}`;
    let count = this.communeCounts.get(key);
    if (count === undefined) {
      count = this.officialUnder(unit.hierarchy, unit.unitKey, 'commune').length;
      this.communeCounts.set(key, count);
    }
    return count;
  }

  /** Official units at `childLevel` under a unit, in its hierarchy; none below a commune. */
  officialChildren(unit: KpiUnit, childLevel: Level): AdminUnit[] {
    if (unit.hierarchy === undefined || !isOfficialLevel(childLevel)) return [];
    if (unit.level === 'nation') {
      const provinces = this.units.provinces(dayOf(unit.hierarchy));
      return childLevel === 'province' ? [...provinces] : provinces.flatMap((p) => this.officialUnder(unit.hierarchy as Hierarchy, p.code, childLevel));
    }
    return isOfficialLevel(unit.level) ? this.officialUnder(unit.hierarchy, unit.unitKey, childLevel) : [];
  }

  private officialUnder(hierarchy: Hierarchy, code: string, level: Level): AdminUnit[] {
    const found: AdminUnit[] = [];
    const walk = (parent: string): void => {
      for (const child of this.units.children(parent, dayOf(hierarchy))) {
        if (child.level === level) found.push(child);
        else if (child.level !== 'commune') walk(child.code);
      }
    };
    walk(code);
    return found;
  }

  /**
   * Provinces merged whole in 2025, so an old province lies in exactly one of today's: the one its
   * communes' successors lie in.
   */
  private todaysProvinceOf(oldProvinceCode: string): string | undefined {
    if (!this.todaysProvinceOfOld.has(oldProvinceCode)) {
      const communes = this.officialUnder('pre-2025', oldProvinceCode, 'commune');
      const successor = communes.map((c) => this.units.currentUnitFor(c.code)).find((current) => current !== undefined);
      this.todaysProvinceOfOld.set(oldProvinceCode, successor?.unit.provinceCode);
    }
    return this.todaysProvinceOfOld.get(oldProvinceCode);
  }
}
