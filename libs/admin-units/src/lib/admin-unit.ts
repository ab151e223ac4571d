/**
 * The two administrative hierarchies of Vietnam that the ledger resolves unit codes against.
 * 'pre-2025': province → district → commune, in force until 2025-06-30.
 * '2025': province → commune (districts abolished), in force from 2025-07-01 (Resolution 202/2025/QH15).
 */
export type Hierarchy = 'pre-2025' | '2025';
export type UnitLevel = 'province' | 'district' | 'commune';

/** A calendar date in Vietnam time, 'YYYY-MM-DD'. */
export type IsoDate = string;

export interface AdminUnit {
  readonly code: string;
  readonly name: string;
  readonly level: UnitLevel;
  readonly hierarchy: Hierarchy;
  /** The unit directly above: the district of a pre-2025 commune, the province of a 2025 commune. */
  readonly parentCode?: string;
  /** The province this unit belongs to; a province's own code for a province. */
  readonly provinceCode: string;
  readonly validFrom?: IsoDate;
  readonly validTo?: IsoDate;
}

export interface UnitCounts {
  readonly provinces: number;
  readonly districts: number;
  readonly communes: number;
}

/**
 * whole: the old commune went entirely into the new one.
 * partial: the old commune was split; this new commune received a part of it.
 */
export type SuccessionKind = 'whole' | 'partial';

export interface Successor {
  readonly newCommuneCode: string;
  readonly newProvinceCode: string;
  readonly kind: SuccessionKind;
  /** The successor the official mapping lists against the old code itself (see ADR 0002). */
  readonly primary: boolean;
}

export interface Predecessor {
  readonly oldCommuneCode: string;
  readonly kind: SuccessionKind;
}

/** Where history recorded under an old commune lands in the "current units" view. */
export type CurrentUnit =
  | { readonly kind: 'whole'; readonly unit: AdminUnit }
  | { readonly kind: 'partial'; readonly unit: AdminUnit; readonly candidates: readonly AdminUnit[] };
