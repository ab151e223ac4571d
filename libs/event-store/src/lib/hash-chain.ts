import { createHash, hash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { NewEvent, RecordedEvent } from './event-store.port';

/**
 * The per-stream hash chain, recomputable by an auditor without the database:
 *   contentDigest = sha256(JCS(eventId, type, schemaVersion, data, metadata))   (RFC 8785)
 *   hash_v        = sha256(hash_{v-1} ‖ contentDigest ‖ utf8(`${stream}/${v}/${recordedAtMicros}`))
 * with hash_0 = 32 zero bytes. The SQL side (event_store.cdt_append) computes the same.
 */
export const GENESIS_HASH = Buffer.alloc(32);

/** The RFC 8785 text of what an event's digest covers (also a faithful JSON of those fields). */
export function canonicalContent(event: NewEvent): string {
  const canonical = canonicalJson({
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
  });
  if (canonical === undefined) throw new Error(`event ${event.eventId} cannot be canonicalized`);
  return canonical;
}

export function contentDigest(event: NewEvent): Buffer {
  return sha256(canonicalContent(event));
}

/** One-shot sha-256 of UTF-8 text. */
export const sha256 = (text: string): Buffer => hash('sha256', text, 'buffer');

export function computeChainHash(
  prevHash: Buffer,
  digest: Buffer,
  streamName: string,
  streamVersion: number,
  recordedAtMicros: bigint,
): Buffer {
  return createHash('sha256')
    .update(prevHash)
    .update(digest)
    .update(`${streamName}/${streamVersion}/${recordedAtMicros}`, 'utf8')
    .digest();
}

/** ISO-8601 UTC with microseconds, the precision PostgreSQL stores and the chain hashes. */
export function microsToIso(micros: bigint): string {
  const millis = micros / 1000n;
  const rest = micros % 1000n;
  const iso = new Date(Number(millis)).toISOString();
  return `${iso.slice(0, -1)}${rest.toString().padStart(3, '0')}Z`;
}

export function isoToMicros(iso: string): bigint {
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})$/.exec(iso);
  if (!match) throw new Error(`not an ISO-8601 instant: ${iso}`);
  const wholeSeconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(wholeSeconds)) throw new Error(`not an ISO-8601 instant: ${iso}`);
  const fraction = BigInt((match[2] ?? '').padEnd(6, '0'));
  return BigInt(wholeSeconds) * 1000n + fraction;
}

export type ChainVerdict =
  | { valid: true; lastHash: string }
  | { valid: false; eventId: string; streamVersion: number; reason: string };

/**
 * Recomputes the chain of one stream from events read as stored (`raw: true`, no upcasting),
 * in version order, starting at `prevHash` (genesis for version 1). Names the first bad event.
 */
export function verifyStreamChain(events: RecordedEvent[], prevHash: Buffer = GENESIS_HASH): ChainVerdict {
  let prev = prevHash;
  let expectedVersion = events[0]?.streamVersion ?? 1;
  for (const event of events) {
    if (event.streamVersion !== expectedVersion) {
      return { valid: false, eventId: event.eventId, streamVersion: event.streamVersion, reason: `expected version ${expectedVersion}` };
    }
    const hash = computeChainHash(prev, contentDigest(event), event.streamName, event.streamVersion, isoToMicros(event.recordedAt));
    if (hash.toString('hex') !== event.hash) {
      return { valid: false, eventId: event.eventId, streamVersion: event.streamVersion, reason: 'hash mismatch' };
    }
    prev = hash;
    expectedVersion += 1;
  }
  return { valid: true, lastHash: prev.toString('hex') };
}
