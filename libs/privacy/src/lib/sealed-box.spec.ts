import { randomBytes, randomUUID } from 'node:crypto';
import { open, seal, SEAL_SCHEME, type SubjectKey } from './sealed-box';

const subject = 'ab'.repeat(32);
const keyOf = (subjectRef = subject): SubjectKey => ({ subjectRef, keyId: randomUUID(), key: randomBytes(32) });
const PHONE = '{"phone":"0912345678"}';

describe('sealed boxes (AES-256-GCM, synthetic nonce)', () => {
  it('opens to the plaintext under the same key and context, and shows nothing of it', () => {
    const key = keyOf();
    const box = seal(key, 'activity-1', PHONE);
    expect(box).toMatchObject({ scheme: SEAL_SCHEME, subjectRef: subject, keyId: key.keyId });
    expect(Buffer.from(box.nonce, 'base64url')).toHaveLength(12);
    expect(Buffer.from(box.tag, 'base64url')).toHaveLength(16);
    expect(JSON.stringify(box)).not.toMatch(/0912345678|912345678/);
    expect(open(key, 'activity-1', box)).toBe(PHONE);
  });

  it('seals the same inputs to the same box (a retried write), other inputs to another nonce', () => {
    const key = keyOf();
    expect(seal(key, 'activity-1', PHONE)).toEqual(seal(key, 'activity-1', PHONE));
    const nonces = new Set([seal(key, 'activity-1', PHONE), seal(key, 'activity-2', PHONE), seal(key, 'activity-1', '{"phone":"0912345679"}')].map((b) => b.nonce));
    expect(nonces.size).toBe(3);
  });

  it('refuses to open under another key, for another activity, or once any byte changed', () => {
    const key = keyOf();
    const box = seal(key, 'activity-1', PHONE);
    expect(() => open({ ...key, key: randomBytes(32) }, 'activity-1', box)).toThrow();
    expect(() => open(keyOf(), 'activity-1', box)).toThrow(/another key/);
    expect(() => open(key, 'activity-2', box)).toThrow();
    const flipped = Buffer.from(box.ciphertext, 'base64url');
    flipped[0] ^= 1;
    expect(() => open(key, 'activity-1', { ...box, ciphertext: flipped.toString('base64url') })).toThrow();
    expect(() => open(key, 'activity-1', { ...box, subjectRef: 'cd'.repeat(32) })).toThrow(/another key/);
  });
});
