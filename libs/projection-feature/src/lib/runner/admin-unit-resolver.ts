import { hierarchyOn, isIsoDate, type AdminUnits, type Hierarchy } from '@cdt/admin-units';
import type { CommuneAncestors, UnitResolver } from '@cdt/domain-kpi';

/**
 * The projector's unit resolver backed by the official unit lists: a commune's district (before
 * 2025-07-01) and province on a day. Codes are valid for a whole hierarchy, so answers are cached per
 * (hierarchy, commune), and each day's hierarchy (or that it is no day) once: the hot path of a catch-up
 * costs two map lookups per call and allocates nothing. Validating the day on every call (a regular
 * expression and a Date, twice) was ~2.5 % of Node's time in the service's catch-up (2026-11-26 profile).
 */
export function adminUnitResolver(units: AdminUnits): UnitResolver {
  const hierarchies = new Map<string, Hierarchy | null>();
  const answers: Record<Hierarchy, Map<string, CommuneAncestors | undefined>> = { 'pre-2025': new Map(), '2025': new Map() };
  return (communeCode, on) => {
    let hierarchy = hierarchies.get(on);
    if (hierarchy === undefined) hierarchies.set(on, (hierarchy = isIsoDate(on) ? hierarchyOn(on) : null));
    // Not a day the lists can answer for: the fact still counts for its team, village, commune and nation.
    if (hierarchy === null) return undefined;
    const cache = answers[hierarchy];
    if (cache.has(communeCode)) return cache.get(communeCode);
    const commune = units.unit(communeCode, on);
    const ancestors = commune?.level === 'commune' ? units.ancestors(communeCode, on) : [];
    const province = ancestors.find((u) => u.level === 'province');
    const district = ancestors.find((u) => u.level === 'district');
    const answer = province ? { provinceCode: province.code, ...(district ? { districtCode: district.code } : {}) } : undefined;
    cache.set(communeCode, answer);
    return answer;
  };
}
