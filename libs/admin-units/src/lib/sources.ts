/**
 * The raw reference data, as read from the npm packages (see load-admin-units.ts) or built by hand in
 * specs. Everything downstream of this shape is pure.
 */
export interface Pre2025Source {
  readonly provinces: ReadonlyArray<{ readonly code: string; readonly name: string }>;
  readonly districts: ReadonlyArray<{ readonly code: string; readonly name: string; readonly provinceCode: string }>;
  readonly communes: ReadonlyArray<{ readonly code: string; readonly name: string; readonly districtCode: string }>;
}

export interface Source2025 {
  readonly provinces: ReadonlyArray<{ readonly code: string; readonly name: string }>;
  readonly communes: ReadonlyArray<{ readonly code: string; readonly name: string; readonly provinceCode: string }>;
}

/**
 * One row of the official old → new commune mapping. Most rows name the old commune by code; the
 * supplementary rows that list the other parts of split communes name it only by its names.
 */
export interface ReformMappingRow {
  readonly oldCode: string | null;
  readonly oldName: string | null;
  readonly oldDistrictName: string | null;
  readonly oldProvinceName: string | null;
  readonly newCode: string;
  readonly newName: string;
  readonly newProvinceName: string;
}

export interface AdminUnitSources {
  readonly pre2025: Pre2025Source;
  readonly y2025: Source2025;
  readonly reformMapping: ReadonlyArray<ReformMappingRow>;
}
