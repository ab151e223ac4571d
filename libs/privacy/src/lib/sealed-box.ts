import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

/**
 * Personal data kept for follow-up (a phone number the citizen agreed to give) is written to the log
 * only as a sealed box under its subject's key (docs/adr/0006-crypto-shredding.md):
 *
 *   encKey, macKey = HKDF-SHA256(subjectKey, salt = "", info = "cdt-seal/v1 enc" | "cdt-seal/v1 mac"), 32 bytes each
 *   aad            = utf8("cdt-seal/v1\n" + subjectRef + "\n" + context)      context: the activity id
 *   nonce          = HMAC-SHA256(macKey, aad ‖ 0x00 ‖ plaintext)[0..12)          synthetic IV (RFC 5297 idea)
 *   ciphertext,tag = AES-256-GCM(encKey, nonce, plaintext, aad)
 *
 * The synthetic nonce makes sealing deterministic: a retried write seals to the very same box, so the
 * decider's "same content, same id" retry check still holds, and a nonce repeats only for a repeated
 * (aad, plaintext), which GCM tolerates (equal inputs, equal outputs). The aad binds a box to its
 * subject and activity: copied into another event, it does not open.
 */
export const SEAL_SCHEME = 'cdt-seal/v1';

export interface SealedBox {
  scheme: typeof SEAL_SCHEME;
  /** Whose key sealed it: the pseudonymous ref of the subject. */
  subjectRef: string;
  /** The key's id (uuid): a box sealed under an erased key stays erased after a new key is made. */
  keyId: string;
  /** base64url, 12 bytes. */
  nonce: string;
  /** base64url. */
  ciphertext: string;
  /** base64url, 16 bytes. */
  tag: string;
}

export interface SubjectKey {
  subjectRef: string;
  keyId: string;
  /** 32 random bytes. */
  key: Buffer;
}

const NONCE_BYTES = 12;

function derived(key: Buffer, purpose: 'enc' | 'mac'): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `${SEAL_SCHEME} ${purpose}`, 32));
}

const aadOf = (subjectRef: string, context: string): Buffer => Buffer.from(`${SEAL_SCHEME}\n${subjectRef}\n${context}`, 'utf8');

export function seal(subjectKey: SubjectKey, context: string, plaintext: string): SealedBox {
  const aad = aadOf(subjectKey.subjectRef, context);
  const message = Buffer.from(plaintext, 'utf8');
  const nonce = createHmac('sha256', derived(subjectKey.key, 'mac')).update(aad).update(Buffer.of(0)).update(message).digest().subarray(0, NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', derived(subjectKey.key, 'enc'), nonce);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(message), cipher.final()]);
  return {
    scheme: SEAL_SCHEME,
    subjectRef: subjectKey.subjectRef,
    keyId: subjectKey.keyId,
    nonce: nonce.toString('base64url'),
    ciphertext: ciphertext.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
  };
}

/** The plaintext, or an error when the box was not sealed under this key for this subject and context. */
export function open(subjectKey: SubjectKey, context: string, box: SealedBox): string {
  if (box.scheme !== SEAL_SCHEME) throw new Error(`unknown seal scheme ${String(box.scheme)}`);
  if (box.subjectRef !== subjectKey.subjectRef || box.keyId !== subjectKey.keyId) throw new Error('the box was sealed under another key');
  const decipher = createDecipheriv('aes-256-gcm', derived(subjectKey.key, 'enc'), Buffer.from(box.nonce, 'base64url'));
  decipher.setAAD(aadOf(box.subjectRef, context));
  decipher.setAuthTag(Buffer.from(box.tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(box.ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
