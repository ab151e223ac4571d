import { createHmac } from 'node:crypto';
import { normalizeIdentifier, pseudonymousRef } from './pseudonymous-ref';

const KEY = 'national-test-key-0123456789abcdef-not-for-production';

describe('pseudonymous refs', () => {
  it('is the documented HMAC-SHA256 over the scheme label and the normalized identifier', () => {
    const expected = createHmac('sha256', Buffer.from(KEY)).update('cdt-ref/v1\n079203001234').digest('hex');
    expect(pseudonymousRef('079203001234', KEY)).toBe(expected);
  });

  it('has the shape the ledger accepts as a ref: 64 lowercase hex characters', () => {
    expect(pseudonymousRef('0912 345 678', KEY)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives one ref for every spelling of the same identifier', () => {
    const spellings = ['0912345678', '0912 345 678', '0912.345.678', '+84 912 345 678', '84912345678'];
    const refs = new Set(spellings.map((spelling) => pseudonymousRef(spelling, KEY)));
    expect(refs.size).toBe(1);
    expect(normalizeIdentifier('  hk-0042 / b ')).toBe('HK0042B');
  });

  it('keeps Vietnamese text stable across Unicode forms', () => {
    const composed = 'Hộ ông Nguyễn Văn A';
    const decomposed = composed.normalize('NFD');
    expect(pseudonymousRef(decomposed, KEY)).toBe(pseudonymousRef(composed, KEY));
  });

  it('differs under another key, so a leaked ref list is useless without the key', () => {
    expect(pseudonymousRef('079203001234', KEY)).not.toBe(pseudonymousRef('079203001234', `${KEY}-rotated`));
  });

  it('refuses short keys and empty identifiers', () => {
    expect(() => pseudonymousRef('079203001234', 'short')).toThrow(/at least 32 bytes/);
    expect(() => pseudonymousRef(' - ', KEY)).toThrow(/empty/);
  });
});
