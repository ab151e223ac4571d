import { createHash } from 'node:crypto';
import { GENESIS_HASH, computeChainHash, contentDigest, isoToMicros, microsToIso } from './hash-chain';
import { upcasterChain } from './upcasting';

describe('hash chain helpers', () => {
  it('digests the RFC 8785 canonical form, so key order and undefined fields do not matter', () => {
    const metadata = { occurredAt: '2025-07-01T09:00:00+07:00', actor: 'a', correlationId: 'c' };
    const a = contentDigest({ eventId: 'e', type: 't', schemaVersion: 1, data: { b: 2, a: 1 }, metadata });
    const b = contentDigest({ eventId: 'e', type: 't', schemaVersion: 1, data: { a: 1, b: 2, gone: undefined }, metadata: { ...metadata, deviceId: undefined } });
    expect(a.equals(b)).toBe(true);
    const canonical = '{"data":{"a":1,"b":2},"eventId":"e","metadata":{"actor":"a","correlationId":"c","occurredAt":"2025-07-01T09:00:00+07:00"},"schemaVersion":1,"type":"t"}';
    expect(a.toString('hex')).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it('chains from 32 zero bytes over prevHash ‖ digest ‖ stream/version/micros', () => {
    const digest = Buffer.alloc(32, 1);
    const expected = createHash('sha256').update(Buffer.concat([GENESIS_HASH, digest, Buffer.from('team-1/1/1751335200000001')])).digest();
    expect(computeChainHash(GENESIS_HASH, digest, 'team-1', 1, 1_751_335_200_000_001n).equals(expected)).toBe(true);
  });

  it('keeps microseconds between ISO text and the number the chain hashes', () => {
    expect(microsToIso(1_751_335_200_123_456n)).toBe('2025-07-01T02:00:00.123456Z');
    expect(isoToMicros('2025-07-01T02:00:00.123456Z')).toBe(1_751_335_200_123_456n);
    expect(isoToMicros('2025-07-01T09:00:00.5+07:00')).toBe(1_751_335_200_500_000n);
  });

  it('upcasts step by step and refuses two upcasters for the same version', () => {
    const upcast = upcasterChain([
      { type: 'T', fromSchemaVersion: 1, upcast: (d) => ({ schemaVersion: 2, data: { ...d, two: true } }) },
      { type: 'T', fromSchemaVersion: 2, upcast: (d) => ({ schemaVersion: 3, data: { ...d, three: true } }) },
    ]);
    expect(upcast('T', 1, {})).toEqual({ schemaVersion: 3, data: { two: true, three: true } });
    expect(upcast('Other', 1, { x: 1 })).toEqual({ schemaVersion: 1, data: { x: 1 } });
    const twice = { type: 'T', fromSchemaVersion: 1, upcast: (d: Record<string, unknown>) => ({ schemaVersion: 2, data: d }) };
    expect(() => upcasterChain([twice, twice])).toThrow(/two upcasters/);
  });
});
