import type { Predecessor, Successor } from './admin-unit';
import type { Pre2025Source, ReformMappingRow, Source2025 } from './sources';
import { compareCodes, unitNameKey } from './unit-names';

/** Why a mapping row could not be used; counted in the load report, never silently dropped. */
export type UnresolvedReason = 'no-old-commune' | 'old-commune-not-found' | 'new-commune-not-found';

export interface ReformMapping {
  readonly successors: ReadonlyMap<string, readonly Successor[]>;
  readonly predecessors: ReadonlyMap<string, readonly Predecessor[]>;
  readonly rowsUsed: number;
  readonly rowsUnresolved: Readonly<Record<UnresolvedReason, number>>;
}

interface Resolver {
  oldDistrict(provinceName: string, districtName: string): string | undefined;
  oldCommuneByNames(row: ReformMappingRow): string | undefined;
  newCommune(row: ReformMappingRow): { code: string; provinceCode: string } | undefined;
}

const groupBy = <T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
};

const only = <T>(items: readonly T[] | undefined): T | undefined => (items && items.length === 1 ? items[0] : undefined);

/**
 * Names are matched within their parent only, province by province, so two "Phường 1" never meet.
 * District names are compared without their type word: the mapping says "Thị xã Mộc Châu" where the
 * older list still says "Huyện Mộc Châu" for the same district.
 */
const createResolver = (pre: Pre2025Source, y2025: Source2025): Resolver => {
  const oldProvinceByName = groupBy(pre.provinces, (p) => unitNameKey(p.name, { withoutType: true }));
  const oldDistrictByName = groupBy(pre.districts, (d) => `${d.provinceCode}|${unitNameKey(d.name, { withoutType: true })}`);
  const oldCommunesByDistrict = groupBy(pre.communes, (c) => c.districtCode);
  const newProvinceByName = groupBy(y2025.provinces, (p) => unitNameKey(p.name, { withoutType: true }));
  const newCommuneByCode = new Map(y2025.communes.map((c) => [c.code, c]));
  const newCommuneByName = groupBy(y2025.communes, (c) => `${c.provinceCode}|${unitNameKey(c.name)}`);

  const oldDistrict = (provinceName: string, districtName: string): string | undefined => {
    const province = only(oldProvinceByName.get(unitNameKey(provinceName, { withoutType: true })));
    if (!province) return undefined;
    return only(oldDistrictByName.get(`${province.code}|${unitNameKey(districtName, { withoutType: true })}`))?.code;
  };

  return {
    oldDistrict,
    oldCommuneByNames(row) {
      if (!row.oldName || !row.oldDistrictName || !row.oldProvinceName) return undefined;
      const districtCode = oldDistrict(row.oldProvinceName, row.oldDistrictName);
      if (!districtCode) return undefined;
      const communes = oldCommunesByDistrict.get(districtCode) ?? [];
      const exact = communes.filter((c) => unitNameKey(c.name) === unitNameKey(row.oldName ?? ''));
      if (exact.length === 1) return exact[0].code;
      return only(communes.filter((c) => unitNameKey(c.name, { withoutType: true }) === unitNameKey(row.oldName ?? '', { withoutType: true })))?.code;
    },
    newCommune(row) {
      const province = only(newProvinceByName.get(unitNameKey(row.newProvinceName, { withoutType: true })));
      if (!province) return undefined;
      const byCode = newCommuneByCode.get(row.newCode);
      // A row's code is trusted only when its own name and province agree with it: some supplementary
      // rows carry a code that belongs to another commune (see ADR 0002).
      if (byCode && byCode.provinceCode === province.code && unitNameKey(byCode.name) === unitNameKey(row.newName)) {
        return { code: byCode.code, provinceCode: byCode.provinceCode };
      }
      const byName = only(newCommuneByName.get(`${province.code}|${unitNameKey(row.newName)}`));
      return byName && { code: byName.code, provinceCode: byName.provinceCode };
    },
  };
};

/**
 * Builds successors and predecessors from the mapping rows. An old commune with one successor went
 * there whole; one with several was split, and every part is 'partial'. The successor named in the
 * row that carries the old code is its primary successor.
 */
export const buildReformMapping = (
  rows: readonly ReformMappingRow[],
  pre: Pre2025Source,
  y2025: Source2025,
): ReformMapping => {
  const resolver = createResolver(pre, y2025);
  const targets = new Map<string, Map<string, { provinceCode: string; primary: boolean }>>();
  const unresolved: Record<UnresolvedReason, number> = { 'no-old-commune': 0, 'old-commune-not-found': 0, 'new-commune-not-found': 0 };
  let rowsUsed = 0;

  for (const row of rows) {
    const coded = typeof row.oldCode === 'string' && row.oldCode.length > 0;
    if (!coded && !row.oldName) {
      unresolved['no-old-commune'] += 1;
      continue;
    }
    const oldCode = coded ? (row.oldCode as string) : resolver.oldCommuneByNames(row);
    if (!oldCode) {
      unresolved['old-commune-not-found'] += 1;
      continue;
    }
    const target = resolver.newCommune(row);
    if (!target) {
      unresolved['new-commune-not-found'] += 1;
      continue;
    }
    const byTarget = targets.get(oldCode) ?? new Map();
    const seen = byTarget.get(target.code);
    byTarget.set(target.code, { provinceCode: target.provinceCode, primary: coded || (seen?.primary ?? false) });
    targets.set(oldCode, byTarget);
    rowsUsed += 1;
  }

  const successors = new Map<string, Successor[]>();
  const predecessors = new Map<string, Predecessor[]>();
  for (const [oldCode, byTarget] of [...targets].sort(([a], [b]) => compareCodes(a, b))) {
    const kind = byTarget.size === 1 ? 'whole' : 'partial';
    const list = [...byTarget]
      .map(([newCommuneCode, t]) => ({ newCommuneCode, newProvinceCode: t.provinceCode, kind, primary: t.primary }) as const)
      .sort((a, b) => Number(b.primary) - Number(a.primary) || compareCodes(a.newCommuneCode, b.newCommuneCode));
    successors.set(oldCode, list);
    for (const s of list) {
      const preds = predecessors.get(s.newCommuneCode) ?? [];
      preds.push({ oldCommuneCode: oldCode, kind });
      predecessors.set(s.newCommuneCode, preds);
    }
  }
  return { successors, predecessors, rowsUsed, rowsUnresolved: unresolved };
};

/**
 * The mapping is newer than the pre-2025 list: it names by code a few communes that list lacks (units
 * created shortly before the reform). They existed until 2025-06-30, so they join the pre-2025
 * hierarchy under the district their names point to; any whose district cannot be found is reported.
 */
export const addCommunesKnownOnlyToMapping = (
  pre: Pre2025Source,
  rows: readonly ReformMappingRow[],
): { pre2025: Pre2025Source; added: string[]; unplaced: string[] } => {
  const resolver = createResolver(pre, { provinces: [], communes: [] });
  const known = new Set(pre.communes.map((c) => c.code));
  const added = new Map<string, Pre2025Source['communes'][number]>();
  const unplaced = new Set<string>();
  for (const row of rows) {
    if (!row.oldCode || known.has(row.oldCode) || added.has(row.oldCode) || !row.oldName) continue;
    const districtCode = row.oldProvinceName && row.oldDistrictName ? resolver.oldDistrict(row.oldProvinceName, row.oldDistrictName) : undefined;
    if (districtCode) added.set(row.oldCode, { code: row.oldCode, name: row.oldName, districtCode });
    else unplaced.add(row.oldCode);
  }
  return {
    pre2025: { ...pre, communes: [...pre.communes, ...added.values()] },
    added: [...added.keys()].sort(),
    unplaced: [...unplaced].sort(),
  };
};
