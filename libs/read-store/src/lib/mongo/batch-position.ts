import type { Checkpoint } from '@cdt/event-store';

/**
 * A checkpoint as a string whose order is the log's order: both parts zero-padded to 20 digits
 * (xid8 and bigint both fit), so `$lt` on strings compares positions. Every document a batch
 * touches records the batch's end in this form (its high-water mark).
 */
export type BatchPosition = string;

const WIDTH = 20;
const DIGITS = /^\d{1,20}$/;

export const batchPosition = (checkpoint: Checkpoint): BatchPosition => {
  for (const part of [checkpoint.transactionId, checkpoint.globalPosition]) {
    if (!DIGITS.test(part)) throw new Error(`checkpoint part ${JSON.stringify(part)} is not a non-negative integer of at most ${WIDTH} digits`);
  }
  return `${checkpoint.transactionId.padStart(WIDTH, '0')}:${checkpoint.globalPosition.padStart(WIDTH, '0')}`;
};
