import type { AdminUnitSources } from './sources';

/**
 * A miniature of the real data with its awkward parts: province code '82' means Tiền Giang before the
 * reform and Đồng Tháp after; commune '28000' exists in both hierarchies with different names; one old
 * commune was split; one mapping row names a commune the pre-2025 list lacks; one names a commune
 * by names only; one points at a code that belongs to another commune.
 */
export const fixtureSources = (): AdminUnitSources => ({
  pre2025: {
    provinces: [
      { code: '82', name: 'Tỉnh Tiền Giang' },
      { code: '87', name: 'Tỉnh Đồng Tháp' },
    ],
    districts: [
      { code: '815', name: 'Thành Phố Mỹ Tho', provinceCode: '82' },
      { code: '866', name: 'Thành phố Cao Lãnh', provinceCode: '87' },
    ],
    communes: [
      { code: '28000', name: 'Phường 1', districtCode: '815' },
      { code: '28003', name: 'Xã  Tân Mỹ', districtCode: '815' },
      { code: '28006', name: 'Thị Trấn Chợ Gạo', districtCode: '815' },
      { code: '29800', name: 'Phường 2', districtCode: '866' },
    ],
  },
  y2025: {
    provinces: [{ code: '82', name: 'Đồng Tháp' }],
    communes: [
      { code: '28000', name: 'Phường Mỹ Tho', provinceCode: '82' },
      { code: '28006', name: 'Xã Chợ Gạo', provinceCode: '82' },
      { code: '29800', name: 'Phường Cao Lãnh', provinceCode: '82' },
    ],
  },
  reformMapping: [
    row('28000', 'Phường 1', '28000', 'Phường Mỹ Tho'),
    // Tân Mỹ was split: its coded row names Mỹ Tho, a supplementary row (names only) names Chợ Gạo.
    row('28003', 'Xã Tân Mỹ', '28000', 'Phường Mỹ Tho'),
    { ...row(null, 'Xã Tân Mỹ', '28006', 'Xã Chợ Gạo'), oldDistrictName: 'Thành phố Mỹ Tho' },
    row('28006', 'Thị trấn Chợ Gạo', '28006', 'Xã Chợ Gạo'),
    // A supplementary row whose code belongs to another commune: resolved by its name instead.
    { ...row(null, 'Phường 2', '28000', 'Phường Cao Lãnh'), oldDistrictName: 'Thành phố Cao Lãnh', oldProvinceName: 'Tỉnh Đồng Tháp' },
    // A commune created just before the reform, missing from the older pre-2025 list.
    row('28009', 'Phường Tân Long', '28000', 'Phường Mỹ Tho'),
    // Names of a commune that had already ceased before the reform: cannot be resolved, is counted.
    { ...row(null, 'Phường 9', '28000', 'Phường Mỹ Tho') },
    // A special zone made from a district without communes: no old commune at all.
    { ...row('', null, '29800', 'Phường Cao Lãnh'), oldDistrictName: null, oldProvinceName: null },
  ],
});

function row(oldCode: string | null, oldName: string | null, newCode: string, newName: string) {
  return {
    oldCode,
    oldName,
    oldDistrictName: 'Thành phố Mỹ Tho',
    oldProvinceName: 'Tỉnh Tiền Giang',
    newCode,
    newName,
    newProvinceName: 'Tỉnh Đồng Tháp',
  };
}
