import { hash } from 'node:crypto';
import { canonicalContent, type EventMetadata } from '@cdt/event-store';
import { leafHash } from './merkle';

/**
 * The per-event hashing of verification, as plain data so a batch can cross to a worker thread:
 * for event i, the chain step recomputed from `prevHashes[i]` (the stored hash of the stream's previous
 * event in walk order) and its content as stored, compared with its stored hash, and its Merkle leaf.
 */
export interface HashBatch {
  eventIds: string[];
  types: string[];
  schemaVersions: number[];
  data: string[];
  metadata: string[];
  streamNames: string[];
  streamVersions: number[];
  recordedMicros: string[];
  /** hex; 64 zeros for a stream's first event. */
  prevHashes: string[];
  /** hex, as stored. */
  hashes: string[];
}

/** Per event, HASHED_BYTES bytes: [chain step matches the stored hash: 1|0] [leaf, 32 bytes]. */
export const HASHED_BYTES = 33;

export function hashBatch(batch: HashBatch): Uint8Array {
  const n = batch.eventIds.length;
  const out = new Uint8Array(n * HASHED_BYTES);
  // prevHash ‖ contentDigest ‖ utf8("stream/version/micros"), written into one reused buffer.
  let chainInput = Buffer.allocUnsafe(256);
  for (let i = 0; i < n; i++) {
    const canonical = canonicalContent({
      eventId: batch.eventIds[i],
      type: batch.types[i],
      schemaVersion: batch.schemaVersions[i],
      data: JSON.parse(batch.data[i]) as Record<string, unknown>,
      metadata: JSON.parse(batch.metadata[i]) as EventMetadata,
    });
    const suffix = `${batch.streamNames[i]}/${batch.streamVersions[i]}/${batch.recordedMicros[i]}`;
    const length = 64 + Buffer.byteLength(suffix, 'utf8');
    if (chainInput.length < length) chainInput = Buffer.allocUnsafe(length * 2);
    chainInput.write(batch.prevHashes[i], 0, 32, 'hex');
    hash('sha256', canonical, 'buffer').copy(chainInput, 32);
    chainInput.write(suffix, 64, 'utf8');
    const chain = hash('sha256', chainInput.subarray(0, length), 'buffer');
    const stored = Buffer.from(batch.hashes[i], 'hex');
    out[i * HASHED_BYTES] = chain.equals(stored) ? 1 : 0;
    out.set(leafHash(stored), i * HASHED_BYTES + 1);
  }
  return out;
}
