/**
 * Where a figure is kept: a view, a level and a unit key. The domain knows no unit list; the caller
 * passes a resolver (backed by the official admin units) that says which district and province a
 * commune belonged to on a day.
 */

/**
 * `as-recorded`: a fact counts under the team's unit on the day it happened and never moves.
 * `current`: the team's whole history counts under its unit today (following TeamRelocated), so a
 * province can compare 2024 with 2026 on the 34-province map.
 */
export const VIEWS = ['as-recorded', 'current'] as const;
export type View = (typeof VIEWS)[number];

export const LEVELS = ['team', 'village', 'commune', 'district', 'province', 'nation'] as const;
export type Level = (typeof LEVELS)[number];

export const NATION_KEY = 'VN';

/** The parent units of a commune on a day; `districtCode` only before 2025-07-01. */
export interface CommuneAncestors {
  readonly districtCode?: string;
  readonly provinceCode: string;
}

/** Backed by admin units in production; undefined for a code the official lists do not know. */
export type UnitResolver = (communeCode: string, on: string) => CommuneAncestors | undefined;

/** A village has no national code: it is named under its commune. */
export const villageKey = (communeCode: string, village: string): string => `${communeCode}/${village}`;

/** The ancestors of a row, so children and coverage can be found by parent without a unit list. */
export interface Placement {
  readonly village?: string;
  readonly commune?: string;
  readonly district?: string;
  readonly province?: string;
}

export interface UnitAt {
  readonly level: Level;
  readonly key: string;
  readonly placement: Placement;
  /** The day the placement was resolved for; the latest wins, so merging is order-independent. */
  readonly placedOn: string;
}

/** Where a team's figures go, from the team itself up to the nation. */
export type UnitChain = readonly UnitAt[];

/**
 * The chain of a team sitting in (communeCode, village) on day `on`. The current view has no district:
 * today's hierarchy is province → commune. A commune the resolver does not know still counts for the
 * team, its village, the commune and the nation, never under a guessed province.
 */
export const unitChain = (
  view: View,
  team: { teamId: string; communeCode: string; village: string },
  on: string,
  resolve: UnitResolver,
): UnitChain => {
  const ancestors = resolve(team.communeCode, on);
  const province = ancestors?.provinceCode;
  const district = view === 'as-recorded' ? ancestors?.districtCode : undefined;
  const village = villageKey(team.communeCode, team.village);
  const commune = team.communeCode;
  const chain: Omit<UnitAt, 'placedOn'>[] = [
    { level: 'team', key: team.teamId, placement: { village, commune, district, province } },
    { level: 'village', key: village, placement: { commune, district, province } },
    { level: 'commune', key: commune, placement: { district, province } },
  ];
  if (district !== undefined) chain.push({ level: 'district', key: district, placement: { province } });
  if (province !== undefined) chain.push({ level: 'province', key: province, placement: {} });
  chain.push({ level: 'nation', key: NATION_KEY, placement: {} });
  return chain.map((unit) => ({ ...unit, placement: withoutUndefined(unit.placement), placedOn: on }));
};

const withoutUndefined = (placement: Placement): Placement =>
  Object.fromEntries(Object.entries(placement).filter(([, value]) => value !== undefined)) as Placement;

/** The level a target's unit code names: `VN`, province (2 digits), district (3), commune (5). */
export const levelOfUnitCode = (unitCode: string): Level | undefined => {
  if (unitCode === NATION_KEY) return 'nation';
  if (/^\d{2}$/.test(unitCode)) return 'province';
  if (/^\d{3}$/.test(unitCode)) return 'district';
  if (/^\d{5}$/.test(unitCode)) return 'commune';
  return undefined;
};
