export type { AdminUnit, CurrentUnit, Hierarchy, IsoDate, Predecessor, SuccessionKind, Successor, UnitCounts, UnitLevel } from './lib/admin-unit';
export { LAST_DAY_BEFORE_REFORM, REFORM_DATE, hierarchyOn, isIsoDate } from './lib/dates';
export { AdminUnits, type LoadReport } from './lib/admin-units';
export { loadAdminUnits, readAdminUnitSources } from './lib/load-admin-units';
export type { AdminUnitSources, Pre2025Source, ReformMappingRow, Source2025 } from './lib/sources';
export { proposeRelocation, type ReformLookup, type RelocationProposal, type RelocationTarget, type TeamCommune } from './lib/propose-relocation';
export { MAX_VILLAGE_NAME_LENGTH, normalizeVillageName, validateVillageName, type VillageNameCheck, type VillageNameProblem } from './lib/village';
export { normalizeUnitName, unitNameKey } from './lib/unit-names';
