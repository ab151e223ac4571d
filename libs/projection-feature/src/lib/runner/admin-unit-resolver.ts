import { hierarchyOn, isIsoDate, type AdminUnits } from '@cdt/admin-units';
import type { CommuneAncestors, UnitResolver } from '@cdt/domain-kpi';

/**
 * The projector's unit resolver backed by the official unit lists: a commune's district (before
 * 2025-07-01) and province on a day. Codes are valid for a whole hierarchy, so answers are cached per
 * (commune, hierarchy): the hot path of a catch-up costs one map lookup per event.
 */
export function adminUnitResolver(units: AdminUnits): UnitResolver {
  const cache = new Map<string, CommuneAncestors | undefined>();
  return (communeCode, on) => {
    // Not a day the lists can answer for: the fact still counts for its team, village, commune and nation.
    if (!isIsoDate(on)) return undefined;
    const key = `${communeCode}|${hierarchyOn(on)}`;
    if (cache.has(key)) return cache.get(key);
    const commune = units.unit(communeCode, on);
    const ancestors = commune?.level === 'commune' ? units.ancestors(communeCode, on) : [];
    const province = ancestors.find((u) => u.level === 'province');
    const district = ancestors.find((u) => u.level === 'district');
    const answer = province ? { provinceCode: province.code, ...(district ? { districtCode: district.code } : {}) } : undefined;
    cache.set(key, answer);
    return answer;
  };
}
