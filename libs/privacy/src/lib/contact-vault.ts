import { open, seal, type SealedBox } from './sealed-box';
import type { SubjectKeys } from './subject-keys';

/** What a citizen agreed to leave for follow-up. Only ever in memory, or sealed. */
export interface FollowUpContact {
  /** Vietnamese phone number, written 0…. */
  phone: string;
}

export type RevealedContact =
  | { status: 'readable'; contact: FollowUpContact }
  /** The subject's key was destroyed (`cdt privacy erase`): the box can never be opened again. */
  | { status: 'erased' };

/** Seals follow-up contacts under their subject's key and opens them while the key exists. */
export class ContactVault {
  constructor(private readonly keys: SubjectKeys) {}

  /** `context`: what the box belongs to (the activity id); the same inputs always seal to the same box. */
  async seal(subjectRef: string, context: string, contact: FollowUpContact): Promise<SealedBox> {
    return seal(await this.keys.keyFor(subjectRef), context, JSON.stringify({ phone: contact.phone }));
  }

  async reveal(box: SealedBox, context: string): Promise<RevealedContact> {
    const key = await this.keys.find(box.subjectRef);
    if (!key || key.keyId !== box.keyId) return { status: 'erased' };
    const { phone } = JSON.parse(open(key, context, box)) as FollowUpContact;
    return { status: 'readable', contact: { phone } };
  }
}
