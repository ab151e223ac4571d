import { DomainError } from './domain-error';
import { isPseudonymousRef, refProblem, requireRef } from './refs';

const HMAC = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);

describe('pseudonymous refs', () => {
  it('accepts a keyed HMAC-SHA256 as 64 lowercase hex chars', () => {
    expect(isPseudonymousRef(HMAC)).toBe(true);
    expect(requireRef(HMAC, 'householdRef')).toBe(HMAC);
  });

  it.each(['001234567890', '079 203 001 234', '001-234-567-890', '123456789'])(
    'rejects the raw citizen ID %s with RAW_CITIZEN_ID_IN_REF',
    (raw) => expect(refProblem(raw)).toBe('RAW_CITIZEN_ID_IN_REF'),
  );

  it.each(['0912345678', '+84912345678', '84912345678', '091 234 5678', '0912.345.678', '02838123456', '0351234567'])(
    'rejects the Vietnamese phone number %s with RAW_PHONE_IN_REF',
    (raw) => expect(refProblem(raw)).toBe('RAW_PHONE_IN_REF'),
  );

  it.each([HMAC.toUpperCase(), HMAC.slice(1), `${HMAC}0`, 'Nguyen Van A', '', 'g'.repeat(64)])(
    'rejects anything else malformed (%s) with INVALID_REF',
    (raw) => expect(refProblem(raw)).toBe('INVALID_REF'),
  );

  it('rejects a non-string with INVALID_REF', () => {
    expect(refProblem(12)).toBe('INVALID_REF');
    expect(refProblem(undefined)).toBe('INVALID_REF');
  });

  it('names the field and never echoes the raw value', () => {
    let error: unknown;
    try {
      requireRef('0912345678', 'citizenRef');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'RAW_PHONE_IN_REF', field: 'citizenRef' });
    expect((error as DomainError).message).toContain('citizenRef');
    expect((error as DomainError).message).not.toContain('0912345678');
  });
});
