import { AdminUnits } from './admin-units';
import { fixtureSources } from './admin-units.fixture';
import { hierarchyOn } from './dates';

describe('AdminUnits over a miniature of the official data', () => {
  const units = AdminUnits.fromSources(fixtureSources());

  describe('the day decides the hierarchy', () => {
    it('2025-06-30 is the last day of the three-level hierarchy, 2025-07-01 the first of the two-level one', () => {
      expect(hierarchyOn('2025-06-30')).toBe('pre-2025');
      expect(hierarchyOn('2025-07-01')).toBe('2025');
      expect(units.hierarchyOn('1999-01-01')).toBe('pre-2025');
    });

    it('rejects a day that is not a calendar date', () => {
      expect(() => units.unit('82', '2025-02-30')).toThrow(/YYYY-MM-DD/);
      expect(() => units.provinces('1 July 2025')).toThrow(/YYYY-MM-DD/);
    });

    it('gives each unit its effective dates', () => {
      expect(units.unit('815', '2025-06-30')).toMatchObject({ validTo: '2025-06-30', level: 'district' });
      expect(units.unit('82', '2025-07-01')).toMatchObject({ validFrom: '2025-07-01' });
      expect(units.unit('82', '2025-07-01')?.validTo).toBeUndefined();
    });
  });

  describe('a code means something only inside its hierarchy and dates', () => {
    it("province '82' is Tiền Giang on 2025-06-30 and Đồng Tháp on 2025-07-01", () => {
      expect(units.unit('82', '2025-06-30')?.name).toBe('Tỉnh Tiền Giang');
      expect(units.unit('82', '2025-07-01')?.name).toBe('Đồng Tháp');
      expect(units.unitIn('pre-2025', '82')?.name).toBe('Tỉnh Tiền Giang');
      expect(units.unitIn('2025', '82')?.name).toBe('Đồng Tháp');
    });

    it('a commune code reused by the reform names two different communes', () => {
      expect(units.unit('28000', '2025-06-30')).toMatchObject({ name: 'Phường 1', hierarchy: 'pre-2025', parentCode: '815' });
      expect(units.unit('28000', '2025-07-01')).toMatchObject({ name: 'Phường Mỹ Tho', hierarchy: '2025', parentCode: '82' });
    });

    it('a unit that ceased with the reform is unknown after it, and a new one unknown before it', () => {
      expect(units.unit('87', '2025-06-30')?.name).toBe('Tỉnh Đồng Tháp');
      expect(units.unit('87', '2025-07-01')).toBeUndefined();
      expect(units.unit('815', '2025-07-01')).toBeUndefined();
      expect(units.unit('99', '2025-06-30')).toBeUndefined();
    });

    it('cleans doubled spaces and capitalised type words from names', () => {
      expect(units.unitIn('pre-2025', '28003')?.name).toBe('Xã Tân Mỹ');
      expect(units.unitIn('pre-2025', '28006')?.name).toBe('Thị trấn Chợ Gạo');
      expect(units.unitIn('pre-2025', '815')?.name).toBe('Thành phố Mỹ Tho');
    });
  });

  describe('navigation', () => {
    it('lists the provinces in force on a day', () => {
      expect(units.provinces('2025-06-30').map((p) => p.code)).toEqual(['82', '87']);
      expect(units.provinces('2025-07-01').map((p) => p.code)).toEqual(['82']);
    });

    it('lists children in their own hierarchy only', () => {
      expect(units.children('82', '2025-06-30').map((u) => u.code)).toEqual(['815']);
      expect(units.children('815', '2025-06-30').map((u) => u.code)).toEqual(['28000', '28003', '28006', '28009']);
      expect(units.children('82', '2025-07-01').map((u) => u.code)).toEqual(['28000', '28006', '29800']);
      expect(units.children('815', '2025-07-01')).toEqual([]);
    });

    it('walks up commune → district → province before the reform, commune → province after', () => {
      expect(units.ancestors('28003', '2025-06-30').map((u) => `${u.level}:${u.code}`)).toEqual(['district:815', 'province:82']);
      expect(units.ancestors('29800', '2025-07-01').map((u) => `${u.level}:${u.code}`)).toEqual(['province:82']);
      expect(units.ancestors('29800', '2025-06-30').map((u) => u.code)).toEqual(['866', '87']);
      expect(units.ancestors('00000', '2025-06-30')).toEqual([]);
    });

    it('finds the province of any unit on a day', () => {
      expect(units.provinceOf('29800', '2025-06-30')?.name).toBe('Tỉnh Đồng Tháp');
      expect(units.provinceOf('29800', '2025-07-01')?.name).toBe('Đồng Tháp');
      expect(units.provinceOf('866', '2025-07-01')).toBeUndefined();
    });

    it('counts each hierarchy, including a commune known only from the mapping', () => {
      expect(units.counts('pre-2025')).toEqual({ provinces: 2, districts: 2, communes: 5 });
      expect(units.counts('2025')).toEqual({ provinces: 1, districts: 0, communes: 3 });
    });
  });

  describe('the reform mapping', () => {
    it('a commune that went into one new commune went whole', () => {
      expect(units.successorsOf('28000')).toEqual([{ newCommuneCode: '28000', newProvinceCode: '82', kind: 'whole', primary: true }]);
    });

    it('a split commune has every part partial, the coded row first', () => {
      expect(units.successorsOf('28003')).toEqual([
        { newCommuneCode: '28000', newProvinceCode: '82', kind: 'partial', primary: true },
        { newCommuneCode: '28006', newProvinceCode: '82', kind: 'partial', primary: false },
      ]);
    });

    it('trusts a row code only when the name agrees, else resolves by name in the province', () => {
      expect(units.successorsOf('29800')).toEqual([{ newCommuneCode: '29800', newProvinceCode: '82', kind: 'whole', primary: false }]);
    });

    it('lists predecessors of a new commune with how much of each it received', () => {
      expect(units.predecessorsOf('28000')).toEqual([
        { oldCommuneCode: '28000', kind: 'whole' },
        { oldCommuneCode: '28003', kind: 'partial' },
        { oldCommuneCode: '28009', kind: 'whole' },
      ]);
      expect(units.predecessorsOf('99999')).toEqual([]);
    });

    it('adds communes the mapping knows by code to the pre-2025 hierarchy, under their district', () => {
      expect(units.unit('28009', '2025-06-30')).toMatchObject({ name: 'Phường Tân Long', parentCode: '815', provinceCode: '82' });
      expect(units.report.pre2025CommunesAddedFromMapping).toEqual(['28009']);
    });

    it('counts the rows it could not use instead of dropping them silently', () => {
      expect(units.report.mappingRowsUnresolved).toEqual({ 'no-old-commune': 1, 'old-commune-not-found': 1, 'new-commune-not-found': 0 });
      expect(units.report.mappingRowsUsed).toBe(6);
      expect(units.mappingCounts()).toEqual({ oldCommunes: 5, split: 1, newCommunes: 3 });
    });

    it('current unit: whole → that commune; partial → the primary successor with every candidate', () => {
      expect(units.currentUnitFor('28000')).toMatchObject({ kind: 'whole', unit: { code: '28000', hierarchy: '2025' } });
      const partial = units.currentUnitFor('28003');
      expect(partial).toMatchObject({ kind: 'partial', unit: { code: '28000' } });
      expect(partial?.kind === 'partial' && partial.candidates.map((c) => c.code)).toEqual(['28000', '28006']);
      expect(units.currentUnitFor('12345')).toBeUndefined();
    });
  });
});
