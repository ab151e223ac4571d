import { NATION_KEY, villageKey, type Placement, type UnitAt, type UnitChain, type UnitResolver, type View } from '../units';

/**
 * Unit chains for one batch, built as `unitChain` builds them but sharing their parts: the units from
 * the commune up depend only on (view, commune, day), so every team of a commune gets the same unit
 * objects, and the cells cached per unit (CellBuffer.slotsOfUnit) are found once per commune and day
 * instead of once per team. The resolver is asked once per (commune, day).
 */

interface Where {
  readonly teamId: string;
  readonly communeCode: string;
  readonly village: string;
}

type Nested<T> = Map<string, Map<string, T>>;

/** A placement without its absent levels, keys in the order `unitChain` writes them. */
const placement = (village: string | undefined, commune: string | undefined, district: string | undefined, province: string | undefined): Placement => {
  const out: { village?: string; commune?: string; district?: string; province?: string } = {};
  if (village !== undefined) out.village = village;
  if (commune !== undefined) out.commune = commune;
  if (district !== undefined) out.district = district;
  if (province !== undefined) out.province = province;
  return out;
};

interface Upper {
  readonly district: string | undefined;
  readonly province: string | undefined;
  /** commune, district, province, nation (the absent ones left out). */
  readonly units: readonly UnitAt[];
}

export class ChainCache {
  /** view → commune → day → the units from the commune up. */
  private readonly uppers: Record<View, Nested<Upper>> = { 'as-recorded': new Map(), current: new Map() };
  /** view → team → commune → village → day → chain. */
  private readonly chains: Record<View, Map<string, Map<string, Nested<UnitChain>>>> = { 'as-recorded': new Map(), current: new Map() };

  constructor(private readonly resolve: UnitResolver) {}

  /** The same units, in the same order and with the same placements, as `unitChain(view, where, on, resolve)`. */
  chainOf(view: View, where: Where, on: string): UnitChain {
    let byCommune = this.chains[view].get(where.teamId);
    if (!byCommune) this.chains[view].set(where.teamId, (byCommune = new Map()));
    let byVillage = byCommune.get(where.communeCode);
    if (!byVillage) byCommune.set(where.communeCode, (byVillage = new Map()));
    let byDay = byVillage.get(where.village);
    if (!byDay) byVillage.set(where.village, (byDay = new Map()));
    let chain = byDay.get(on);
    if (!chain) {
      const upper = this.upperOf(view, where.communeCode, on);
      const commune = where.communeCode;
      const village = villageKey(commune, where.village);
      chain = [
        { level: 'team', key: where.teamId, placement: placement(village, commune, upper.district, upper.province), placedOn: on },
        { level: 'village', key: village, placement: placement(undefined, commune, upper.district, upper.province), placedOn: on },
        ...upper.units,
      ];
      byDay.set(on, chain);
    }
    return chain;
  }

  private upperOf(view: View, commune: string, on: string): Upper {
    let byDay = this.uppers[view].get(commune);
    if (!byDay) this.uppers[view].set(commune, (byDay = new Map()));
    let upper = byDay.get(on);
    if (!upper) {
      const ancestors = this.resolve(commune, on);
      const province = ancestors?.provinceCode;
      const district = view === 'as-recorded' ? ancestors?.districtCode : undefined;
      const units: UnitAt[] = [{ level: 'commune', key: commune, placement: placement(undefined, undefined, district, province), placedOn: on }];
      if (district !== undefined) units.push({ level: 'district', key: district, placement: placement(undefined, undefined, undefined, province), placedOn: on });
      if (province !== undefined) units.push({ level: 'province', key: province, placement: {}, placedOn: on });
      units.push({ level: 'nation', key: NATION_KEY, placement: {}, placedOn: on });
      byDay.set(on, (upper = { district, province, units }));
    }
    return upper;
  }
}
