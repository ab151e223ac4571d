import { randomUUID } from 'node:crypto';
import type { Checkpoint, EventStore, RecordedEvent } from '@cdt/event-store';
import type { SubjectKeys } from './subject-keys';

/** The stream of a subject's privacy facts (its erasures), named by its pseudonymous ref. */
export const subjectStream = (subjectRef: string): string => `subject-${subjectRef}`;

export const SUBJECT_ERASED = 'SubjectErased';
export const SUBJECT_ERASED_SCHEMA_VERSION = 1;

/** Who erased which subject's key, and when. Holds no personal data: the ref is a pseudonym. */
export interface SubjectErasedData {
  subjectRef: string;
  /** The destroyed key; every box naming it is unreadable from now on. */
  keyId: string;
  erasedBy: string;
  erasedAt: string;
  /** The erasure request it answers (a ticket number), when given. */
  request?: string;
}

export type ErasureResult =
  | { status: 'erased'; subjectRef: string; keyId: string; position: Checkpoint }
  /** No key now, but an earlier erasure is recorded. */
  | { status: 'already-erased'; subjectRef: string; erasedAt: string }
  /** No key was ever made for this subject: nothing of it is sealed anywhere. */
  | { status: 'no-key'; subjectRef: string };

const PSEUDONYMOUS_REF = /^[0-9a-f]{64}$/;

/**
 * Crypto-shredding of one subject: record `SubjectErased`, then delete the key. The event's id is the
 * key's id, so a run cut off between the two steps is finished by running it again (the append is then
 * a duplicate and the delete goes through); a key made later for the same subject gets its own erasure.
 */
export async function eraseSubject(
  store: EventStore,
  keys: SubjectKeys,
  subjectRef: string,
  by: { actor: string; request?: string; now?: Date },
): Promise<ErasureResult> {
  if (!PSEUDONYMOUS_REF.test(subjectRef)) throw new Error('subjectRef must be a pseudonymous ref: 64 lowercase hex characters (docs/privacy/refs.md)');
  if (by.actor.trim() === '') throw new Error('the operator erasing must be named');
  const key = await keys.find(subjectRef);
  if (!key) {
    const erasure = (await store.readStream(subjectStream(subjectRef))).filter((event) => event.type === SUBJECT_ERASED).at(-1);
    return erasure
      ? { status: 'already-erased', subjectRef, erasedAt: (erasure.data as unknown as SubjectErasedData).erasedAt }
      : { status: 'no-key', subjectRef };
  }
  const erasedAt = (by.now ?? new Date()).toISOString();
  const data: SubjectErasedData = { subjectRef, keyId: key.keyId, erasedBy: by.actor, erasedAt, ...(by.request ? { request: by.request } : {}) };
  const appended = await store.append(
    subjectStream(subjectRef),
    [{
      eventId: key.keyId,
      type: SUBJECT_ERASED,
      schemaVersion: SUBJECT_ERASED_SCHEMA_VERSION,
      data: { ...data },
      metadata: { occurredAt: erasedAt, actor: by.actor, correlationId: randomUUID() },
    }],
    'any',
  );
  await keys.destroy(subjectRef, key.keyId);
  return { status: 'erased', subjectRef, keyId: key.keyId, position: appended.events[0].position };
}

/** The recorded erasures of a subject, oldest first. */
export async function erasuresOf(store: EventStore, subjectRef: string): Promise<RecordedEvent[]> {
  return (await store.readStream(subjectStream(subjectRef))).filter((event) => event.type === SUBJECT_ERASED);
}
