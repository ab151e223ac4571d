import { loadAdminUnits } from '@cdt/admin-units';
import { adminUnitResolver } from './admin-unit-resolver';

describe('adminUnitResolver (official unit lists)', () => {
  const resolve = adminUnitResolver(loadAdminUnits());

  it('gives a pre-2025 commune its district and province, and a 2025 commune its province only', () => {
    expect(resolve('28252', '2024-03-02')).toEqual({ provinceCode: '82', districtCode: expect.stringMatching(/^\d{3}$/) });
    expect(resolve('28249', '2025-08-01')).toEqual({ provinceCode: '82' });
  });

  it('knows nothing of a code outside its hierarchy on that day, of an unknown code, or of a non-date', () => {
    expect(resolve('28252', '2025-08-01')).toBeUndefined();
    expect(resolve('99999', '2024-03-02')).toBeUndefined();
    expect(resolve('28252', 'yesterday')).toBeUndefined();
  });
});
