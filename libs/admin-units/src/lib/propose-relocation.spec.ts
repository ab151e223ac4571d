import { AdminUnits } from './admin-units';
import { fixtureSources } from './admin-units.fixture';
import { proposeRelocation } from './propose-relocation';

describe('proposeRelocation (reform helper)', () => {
  const units = AdminUnits.fromSources(fixtureSources());

  it('none: a team registered in a 2025 commune stays where it is', () => {
    expect(proposeRelocation({ communeCode: '28000', since: '2025-07-01' }, units)).toEqual({ kind: 'none' });
  });

  it('whole: the same code registered before the reform names the old commune, which went whole', () => {
    expect(proposeRelocation({ communeCode: '28000', since: '2024-03-01' }, units)).toEqual({
      kind: 'whole',
      to: { communeCode: '28000', communeName: 'Phường Mỹ Tho', provinceCode: '82', provinceName: 'Đồng Tháp' },
    });
  });

  it('partial: a split commune lists its candidates, primary first, for an officer to confirm', () => {
    expect(proposeRelocation({ communeCode: '28003', since: '2025-06-30' }, units)).toEqual({
      kind: 'partial',
      candidates: [
        { communeCode: '28000', communeName: 'Phường Mỹ Tho', provinceCode: '82', provinceName: 'Đồng Tháp' },
        { communeCode: '28006', communeName: 'Xã Chợ Gạo', provinceCode: '82', provinceName: 'Đồng Tháp' },
      ],
    });
  });

  it('unknown: a code that is no commune, or a province code, or an old commune without successor', () => {
    expect(proposeRelocation({ communeCode: '12345', since: '2024-01-01' }, units)).toEqual({ kind: 'unknown' });
    expect(proposeRelocation({ communeCode: '815', since: '2024-01-01' }, units)).toEqual({ kind: 'unknown' });
    expect(proposeRelocation({ communeCode: '12345', since: '2025-08-01' }, units)).toEqual({ kind: 'unknown' });
    const withoutMapping = AdminUnits.fromSources({ ...fixtureSources(), reformMapping: [] });
    expect(proposeRelocation({ communeCode: '28000', since: '2024-01-01' }, withoutMapping)).toEqual({ kind: 'unknown' });
  });
});
