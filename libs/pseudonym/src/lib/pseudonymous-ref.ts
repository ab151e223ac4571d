import { createHmac } from 'node:crypto';

/**
 * The client side of pseudonymous refs (docs/privacy/refs.md): what a reporting app, `npx cdt ref`
 * and the simulator compute before anything leaves the device. The ledger only ever sees the result
 * and never holds the key, so it cannot reverse a ref; because every client uses the same national
 * key, the same person or household gets the same ref from any team, which is what makes distinct
 * counts ("households reached") exact without storing who they are.
 *
 *   ref = lowercase hex( HMAC-SHA256( key, "cdt-ref/v1\n" + normalize(identifier) ) )
 */
export const REF_SCHEME = 'cdt-ref/v1';
export const MIN_KEY_BYTES = 32;

// Separators people type inside identifiers; they never carry meaning.
const SEPARATORS = /[\s.\-()/]/g;
const INTERNATIONAL_VN_PHONE = /^(?:\+84|84)(\d{9,10})$/;

/**
 * One identifier, one spelling: Unicode NFC, separators removed, letters upper-cased, and a Vietnamese
 * phone number written with +84 / 84 brought to its national 0-prefixed form.
 */
export function normalizeIdentifier(raw: string): string {
  const compact = raw.normalize('NFC').trim().replace(SEPARATORS, '').toUpperCase();
  const international = INTERNATIONAL_VN_PHONE.exec(compact);
  return international ? `0${international[1]}` : compact;
}

export function assertRefKey(key: Buffer | string): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (bytes.length < MIN_KEY_BYTES) {
    throw new Error(`the ref key must be at least ${MIN_KEY_BYTES} bytes (got ${bytes.length})`);
  }
  return bytes;
}

/** The pseudonymous ref of an identifier: 64 lowercase hex characters. */
export function pseudonymousRef(identifier: string, key: Buffer | string): string {
  const normalized = normalizeIdentifier(identifier);
  if (normalized.length === 0) throw new Error('the identifier is empty');
  return createHmac('sha256', assertRefKey(key)).update(`${REF_SCHEME}\n${normalized}`, 'utf8').digest('hex');
}
