import { createHash } from 'node:crypto';

/** A fixed namespace (uuid) for retraction ids; never change it, ids already stored depend on it. */
const RETRACTION_NAMESPACE = Buffer.from('8c1f6a52-3b0e-4d7a-9a55-2f1c0e7b6d41'.replace(/-/g, ''), 'hex');

/**
 * An activity is retracted at most once, so its retraction id is derived from it (RFC 9562 v5, SHA-1
 * name-based): a retried retraction carries the same id and the decider answers it with nothing new.
 */
export function retractionIdOf(activityId: string): string {
  const hash = createHash('sha1').update(RETRACTION_NAMESPACE).update(activityId.toLowerCase()).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
