import { randomBytes, randomUUID } from 'node:crypto';
import type { SqlClient } from '@cdt/event-store';
import type { SubjectKey } from './sealed-box';

interface KeyRow {
  subject_ref: string;
  key_id: string;
  key: Uint8Array;
}

/**
 * `privacy.subject_keys` in the event store's database (migration 0003): one random AES-256 key per
 * subject, made on first use, deleted on erasure, never updated (the application role cannot).
 */
export class SubjectKeys {
  constructor(private readonly db: SqlClient) {}

  async find(subjectRef: string): Promise<SubjectKey | undefined> {
    const { rows } = await this.db.query<KeyRow>('select subject_ref, key_id::text as key_id, key from privacy.subject_keys where subject_ref = $1', [subjectRef]);
    return rows[0] && keyOf(rows[0]);
  }

  /** The subject's key, made now if it has none; two writers racing end with the same key. */
  async keyFor(subjectRef: string): Promise<SubjectKey> {
    const known = await this.find(subjectRef);
    if (known) return known;
    await this.db.query('insert into privacy.subject_keys (subject_ref, key_id, key) values ($1, $2, $3) on conflict (subject_ref) do nothing', [
      subjectRef, randomUUID(), randomBytes(32),
    ]);
    const made = await this.find(subjectRef);
    if (!made) throw new Error(`the key of subject ${subjectRef} vanished while it was being made (erased concurrently)`);
    return made;
  }

  /** Deletes this key of the subject; true when a row was deleted. */
  async destroy(subjectRef: string, keyId: string): Promise<boolean> {
    const { rows } = await this.db.query<{ key_id: string }>(
      'delete from privacy.subject_keys where subject_ref = $1 and key_id = $2::uuid returning key_id::text as key_id',
      [subjectRef, keyId],
    );
    return rows.length > 0;
  }
}

function keyOf(row: KeyRow): SubjectKey {
  return { subjectRef: row.subject_ref, keyId: row.key_id, key: Buffer.from(row.key) };
}
