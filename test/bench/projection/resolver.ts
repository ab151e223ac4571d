import { REFORM_DATE, type AdminUnits } from '@cdt/admin-units';
import type { CommuneAncestors, UnitResolver } from '@cdt/domain-kpi';

/**
 * The projector's unit resolver over the official unit lists, memoised per (hierarchy, commune): a
 * commune's ancestors change only at the reform, and the projector asks for them on every event.
 */
export function adminUnitResolver(units: AdminUnits): UnitResolver {
  const memo = new Map<string, CommuneAncestors | undefined>();
  return (communeCode, on) => {
    const hierarchy = on < REFORM_DATE ? 'pre-2025' : '2025';
    const key = `${hierarchy}|${communeCode}`;
    if (memo.has(key)) return memo.get(key);
    const ancestors = units.ancestors(communeCode, on);
    const province = ancestors.find((u) => u.level === 'province');
    const district = ancestors.find((u) => u.level === 'district');
    const found = province ? { provinceCode: province.code, ...(district ? { districtCode: district.code } : {}) } : undefined;
    memo.set(key, found);
    return found;
  };
}
