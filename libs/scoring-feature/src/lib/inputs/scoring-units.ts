import { REFORM_DATE, type AdminUnit, type AdminUnits } from '@cdt/admin-units';
import { NATION_KEY } from '@cdt/domain-kpi';

export type OfficialLevel = 'nation' | 'province' | 'commune';

/**
 * The official units rankings are made over: today's hierarchy (34 provinces → 3,321 communes), the
 * one the KPI `current` view aggregates history onto. Static data, so a run and its verification list
 * the same units.
 */
export class ScoringUnits {
  private readonly communeCounts = new Map<string, number>();

  constructor(private readonly units: AdminUnits) {}

  /** The official unit, or undefined when the code names no unit of that level today. */
  find(level: OfficialLevel, code: string): { code: string; name: string } | undefined {
    if (level === 'nation') return code === NATION_KEY ? { code, name: 'Việt Nam' } : undefined;
    const unit = this.units.unitIn('2025', code);
    return unit?.level === level ? { code: unit.code, name: unit.name } : undefined;
  }

  nameOf(level: OfficialLevel, code: string): string | undefined {
    return this.find(level, code)?.name;
  }

  /** Today's province a unit lies in (the nation lies in none). */
  provinceOf(level: OfficialLevel, code: string): string | undefined {
    if (level === 'nation') return undefined;
    return this.units.unitIn('2025', code)?.provinceCode;
  }

  /** Official provinces or communes under an official unit, by code. */
  officialChildren(level: OfficialLevel, code: string, childLevel: 'province' | 'commune'): string[] {
    const provinces = (): readonly AdminUnit[] => this.units.provinces(REFORM_DATE);
    const communesOf = (provinceCode: string): string[] =>
      this.units.children(provinceCode, REFORM_DATE).filter((unit) => unit.level === 'commune').map((unit) => unit.code);
    if (level === 'nation') return childLevel === 'province' ? provinces().map((p) => p.code) : provinces().flatMap((p) => communesOf(p.code));
    if (level === 'province' && childLevel === 'commune') return communesOf(code);
    return [];
  }

  /** The denominator of commune coverage: how many communes a unit has (a commune counts itself). */
  communesIn(level: OfficialLevel, code: string): number | undefined {
    if (level === 'nation') return this.units.counts('2025').communes;
    if (level === 'commune') return 1;
    let count = this.communeCounts.get(code);
    if (count === undefined) {
      count = this.officialChildren('province', code, 'commune').length;
      this.communeCounts.set(code, count);
    }
    return count;
  }
}
