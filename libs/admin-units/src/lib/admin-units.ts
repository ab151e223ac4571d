import type { AdminUnit, CurrentUnit, Hierarchy, IsoDate, Predecessor, Successor, UnitCounts } from './admin-unit';
import { LAST_DAY_BEFORE_REFORM, REFORM_DATE, hierarchyOn, isWithin, requireIsoDate } from './dates';
import { addCommunesKnownOnlyToMapping, buildReformMapping, type UnresolvedReason } from './reform-mapping';
import type { AdminUnitSources } from './sources';
import { compareCodes, normalizeUnitName } from './unit-names';

/** What the build did to the raw data, so the docs and the load spec can state it with numbers. */
export interface LoadReport {
  readonly pre2025CommunesAddedFromMapping: readonly string[];
  readonly pre2025CommunesInMappingWithoutDistrict: readonly string[];
  readonly mappingRowsUsed: number;
  readonly mappingRowsUnresolved: Readonly<Record<UnresolvedReason, number>>;
  readonly oldCommunesWithoutSuccessor: readonly string[];
}

interface HierarchyIndex {
  readonly byCode: Map<string, AdminUnit>;
  readonly children: Map<string, AdminUnit[]>;
  readonly provinces: AdminUnit[];
}

const byCode = (a: AdminUnit, b: AdminUnit): number => compareCodes(a.code, b.code);

const indexUnits = (units: readonly AdminUnit[]): HierarchyIndex => {
  const index: HierarchyIndex = { byCode: new Map(), children: new Map(), provinces: [] };
  for (const unit of units) {
    // Codes are unique per level; a province and a district never share a key because their lengths differ
    // (2, 3 and 5 digits), which the spec of the loader checks.
    if (index.byCode.has(unit.code)) throw new Error(`duplicate ${unit.hierarchy} unit code ${unit.code}`);
    index.byCode.set(unit.code, unit);
    if (unit.level === 'province') index.provinces.push(unit);
    if (unit.parentCode !== undefined) {
      const siblings = index.children.get(unit.parentCode) ?? [];
      siblings.push(unit);
      index.children.set(unit.parentCode, siblings);
    }
  }
  index.provinces.sort(byCode);
  for (const list of index.children.values()) list.sort(byCode);
  return index;
};

/**
 * The reference data every other module resolves unit codes against. A code means something only
 * inside its hierarchy: '82' is Tiền Giang until 2025-06-30 and Đồng Tháp from 2025-07-01, so every
 * lookup names a date or a hierarchy.
 */
export class AdminUnits {
  private readonly index: Record<Hierarchy, HierarchyIndex>;

  private constructor(
    pre2025: readonly AdminUnit[],
    y2025: readonly AdminUnit[],
    private readonly successorMap: ReadonlyMap<string, readonly Successor[]>,
    private readonly predecessorMap: ReadonlyMap<string, readonly Predecessor[]>,
    readonly report: LoadReport,
  ) {
    this.index = { 'pre-2025': indexUnits(pre2025), '2025': indexUnits(y2025) };
  }

  /** Pure: builds the indexes from raw package data (or a hand-made fixture in specs). */
  static fromSources(sources: AdminUnitSources): AdminUnits {
    const supplemented = addCommunesKnownOnlyToMapping(sources.pre2025, sources.reformMapping);
    const pre = supplemented.pre2025;
    const validTo = LAST_DAY_BEFORE_REFORM;
    const districtProvince = new Map(pre.districts.map((d) => [d.code, d.provinceCode]));
    const pre2025: AdminUnit[] = [
      ...pre.provinces.map((p) => ({ code: p.code, name: normalizeUnitName(p.name), level: 'province', hierarchy: 'pre-2025', provinceCode: p.code, validTo }) as const),
      ...pre.districts.map(
        (d) => ({ code: d.code, name: normalizeUnitName(d.name), level: 'district', hierarchy: 'pre-2025', parentCode: d.provinceCode, provinceCode: d.provinceCode, validTo }) as const,
      ),
      ...pre.communes.map((c) => {
        const provinceCode = districtProvince.get(c.districtCode);
        if (provinceCode === undefined) throw new Error(`pre-2025 commune ${c.code} names unknown district ${c.districtCode}`);
        return { code: c.code, name: normalizeUnitName(c.name), level: 'commune', hierarchy: 'pre-2025', parentCode: c.districtCode, provinceCode, validTo } as const;
      }),
    ];
    const validFrom = REFORM_DATE;
    const y2025: AdminUnit[] = [
      ...sources.y2025.provinces.map((p) => ({ code: p.code, name: normalizeUnitName(p.name), level: 'province', hierarchy: '2025', provinceCode: p.code, validFrom }) as const),
      ...sources.y2025.communes.map(
        (c) => ({ code: c.code, name: normalizeUnitName(c.name), level: 'commune', hierarchy: '2025', parentCode: c.provinceCode, provinceCode: c.provinceCode, validFrom }) as const,
      ),
    ];
    const mapping = buildReformMapping(sources.reformMapping, pre, sources.y2025);
    const report: LoadReport = {
      pre2025CommunesAddedFromMapping: supplemented.added,
      pre2025CommunesInMappingWithoutDistrict: supplemented.unplaced,
      mappingRowsUsed: mapping.rowsUsed,
      mappingRowsUnresolved: mapping.rowsUnresolved,
      oldCommunesWithoutSuccessor: pre.communes.map((c) => c.code).filter((code) => !mapping.successors.has(code)).sort(),
    };
    return new AdminUnits(pre2025, y2025, mapping.successors, mapping.predecessors, report);
  }

  hierarchyOn(on: IsoDate): Hierarchy {
    return hierarchyOn(on);
  }

  /** The unit a code names on a day, or undefined when the code means nothing then. */
  unit(code: string, on: IsoDate): AdminUnit | undefined {
    const unit = this.index[hierarchyOn(on)].byCode.get(code);
    return unit && isWithin(on, unit.validFrom, unit.validTo) ? unit : undefined;
  }

  unitIn(hierarchy: Hierarchy, code: string): AdminUnit | undefined {
    return this.index[hierarchy].byCode.get(code);
  }

  children(code: string, on: IsoDate): readonly AdminUnit[] {
    const parent = this.unit(code, on);
    return parent ? (this.index[parent.hierarchy].children.get(parent.code) ?? []) : [];
  }

  provinces(on: IsoDate): readonly AdminUnit[] {
    return this.index[hierarchyOn(requireIsoDate(on, 'on'))].provinces.filter((p) => isWithin(on, p.validFrom, p.validTo));
  }

  /** Nearest first: a pre-2025 commune gives [district, province], a 2025 commune [province]. */
  ancestors(code: string, on: IsoDate): readonly AdminUnit[] {
    const chain: AdminUnit[] = [];
    let current = this.unit(code, on);
    while (current?.parentCode !== undefined) {
      const parent = this.index[current.hierarchy].byCode.get(current.parentCode);
      if (!parent) break;
      chain.push(parent);
      current = parent;
    }
    return chain;
  }

  provinceOf(code: string, on: IsoDate): AdminUnit | undefined {
    const unit = this.unit(code, on);
    return unit && this.index[unit.hierarchy].byCode.get(unit.provinceCode);
  }

  /** The 2025 communes an old (pre-2025) commune went into, primary first. */
  successorsOf(oldCommuneCode: string): readonly Successor[] {
    return this.successorMap.get(oldCommuneCode) ?? [];
  }

  /** The old communes that went, wholly or in part, into a 2025 commune. */
  predecessorsOf(newCommuneCode: string): readonly Predecessor[] {
    return this.predecessorMap.get(newCommuneCode) ?? [];
  }

  /**
   * For the "current units" view, which re-aggregates history onto today's hierarchy. Whole: the one
   * successor. Partial: the primary successor (the one the official mapping lists against the old
   * code), with every candidate listed so a caller can show the ambiguity. Facts of a team that was
   * relocated follow the team's TeamRelocated event instead, which is exact.
   */
  currentUnitFor(oldCommuneCode: string): CurrentUnit | undefined {
    const successors = this.successorsOf(oldCommuneCode);
    const candidates = successors.map((s) => this.index['2025'].byCode.get(s.newCommuneCode)).filter((u): u is AdminUnit => u !== undefined);
    if (candidates.length === 0) return undefined;
    if (successors[0].kind === 'whole') return { kind: 'whole', unit: candidates[0] };
    return { kind: 'partial', unit: candidates[0], candidates };
  }

  counts(hierarchy: Hierarchy): UnitCounts {
    const counts = { provinces: 0, districts: 0, communes: 0 };
    for (const unit of this.index[hierarchy].byCode.values()) counts[`${unit.level}s`] += 1;
    return counts;
  }

  /** Number of old communes the mapping covers, and how many of them were split. */
  mappingCounts(): { oldCommunes: number; split: number; newCommunes: number } {
    let split = 0;
    for (const list of this.successorMap.values()) if (list.length > 1) split += 1;
    return { oldCommunes: this.successorMap.size, split, newCommunes: this.predecessorMap.size };
  }
}
