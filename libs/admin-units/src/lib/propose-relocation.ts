import type { AdminUnit, Hierarchy, IsoDate, Successor } from './admin-unit';
import { hierarchyOn } from './dates';

/** What proposeRelocation needs of the reference data; AdminUnits provides it. */
export interface ReformLookup {
  unitIn(hierarchy: Hierarchy, code: string): AdminUnit | undefined;
  successorsOf(oldCommuneCode: string): readonly Successor[];
}

export interface RelocationTarget {
  readonly communeCode: string;
  readonly communeName: string;
  readonly provinceCode: string;
  readonly provinceName: string;
}

export type RelocationProposal =
  | { readonly kind: 'none' }
  | { readonly kind: 'whole'; readonly to: RelocationTarget }
  | { readonly kind: 'partial'; readonly candidates: readonly RelocationTarget[] }
  | { readonly kind: 'unknown' };

/** The commune a team is registered in, and since when: the date says which hierarchy the code belongs to. */
export interface TeamCommune {
  readonly communeCode: string;
  readonly since: IsoDate;
}

const target = (units: ReformLookup, successor: Successor): RelocationTarget | undefined => {
  const commune = units.unitIn('2025', successor.newCommuneCode);
  const province = units.unitIn('2025', successor.newProvinceCode);
  return commune && province && { communeCode: commune.code, communeName: commune.name, provinceCode: province.code, provinceName: province.name };
};

/**
 * The 2025 reform helper. A commune code alone cannot say whether a team needs moving (many 2025 codes
 * reuse an old commune's code: '00004' is Trúc Bạch before, Ba Đình after), so the team's commune comes
 * with the day it was registered there.
 * - none: the team already sits in a 2025 commune;
 * - whole: its old commune went entirely into one new commune;
 * - partial: its old commune was split; an officer confirms one candidate (primary first);
 * - unknown: the code is no pre-2025 commune the mapping knows.
 */
export const proposeRelocation = (team: TeamCommune, units: ReformLookup): RelocationProposal => {
  const hierarchy = hierarchyOn(team.since);
  const commune = units.unitIn(hierarchy, team.communeCode);
  if (commune?.level !== 'commune') return { kind: 'unknown' };
  if (hierarchy === '2025') return { kind: 'none' };
  const successors = units.successorsOf(team.communeCode);
  const targets = successors.map((s) => target(units, s)).filter((t): t is RelocationTarget => t !== undefined);
  if (targets.length === 0 || targets.length !== successors.length) return { kind: 'unknown' };
  return successors.length === 1 && successors[0].kind === 'whole' ? { kind: 'whole', to: targets[0] } : { kind: 'partial', candidates: targets };
};
