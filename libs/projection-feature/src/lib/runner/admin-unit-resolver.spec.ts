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

describe('adminUnitResolver: its caches', () => {
  it('answers a commune per hierarchy, whichever day of it is asked first, and a non-date asked again', () => {
    const resolve = adminUnitResolver(loadAdminUnits());
    expect(resolve('28252', '2025-08-01')).toBeUndefined();
    expect(resolve('28252', '2024-03-02')).toEqual({ provinceCode: '82', districtCode: expect.stringMatching(/^\d{3}$/) });
    expect(resolve('28252', '2025-06-30')).toEqual(resolve('28252', '2024-03-02'));
    expect(resolve('28252', '2025-07-01')).toBeUndefined();
    expect([resolve('28252', '2024-02-30'), resolve('28252', '2024-02-30')]).toEqual([undefined, undefined]);
  });
});
