import { normaliseVillage } from '@cdt/domain-registry';
import { MAX_VILLAGE_NAME_LENGTH, normalizeVillageName, validateVillageName } from './village';

describe('village names', () => {
  it('trims, collapses spaces and composes to NFC', () => {
    const decomposed = 'Tho\u0302n  Ta\u0302n Ho\u0300a '.normalize('NFD');
    expect(normalizeVillageName(`  ${decomposed}\t`)).toBe('Thôn Tân Hòa');
    expect(normalizeVillageName(decomposed)).toBe(normalizeVillageName('Thôn Tân Hòa'));
  });

  it('normalises exactly as the registry domain does', () => {
    for (const name of ['  Ấp  Tân Phú A ', 'Tổ dân phố 5', 'Khóm 3/2', "Thôn Đắk R'Măng"]) {
      expect(normalizeVillageName(name)).toBe(normaliseVillage(name));
    }
  });

  it('accepts the names teams use', () => {
    for (const name of ['Thôn 1', 'Tổ dân phố Nguyễn Trãi', 'Ấp Tân Phú (A)', 'Khóm 3/2', "Buôn Ea H'Leo", 'Bản Nà-Mường']) {
      expect(validateVillageName(name)).toEqual({ ok: true, name });
    }
  });

  it('rejects empty, too long and odd names with a stable code', () => {
    expect(validateVillageName('   ')).toMatchObject({ ok: false, code: 'VILLAGE_NAME_EMPTY' });
    expect(validateVillageName(42)).toMatchObject({ ok: false, code: 'VILLAGE_NAME_EMPTY' });
    expect(validateVillageName('a'.repeat(MAX_VILLAGE_NAME_LENGTH))).toMatchObject({ ok: true });
    expect(validateVillageName('a'.repeat(MAX_VILLAGE_NAME_LENGTH + 1))).toMatchObject({ ok: false, code: 'VILLAGE_NAME_TOO_LONG' });
    for (const name of ['<script>', 'Thôn 1; DROP', '-Thôn', 'Thôn 🎉', 'Thôn\u0000A']) {
      expect(validateVillageName(name)).toMatchObject({ ok: false, code: 'VILLAGE_NAME_INVALID_CHARACTERS' });
    }
  });
});
