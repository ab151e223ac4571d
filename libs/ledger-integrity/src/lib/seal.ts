import type { Checkpoint } from '@cdt/event-store';

export const LEDGER_SEALED = 'LedgerSealed';
export const LEDGER_SEALED_SCHEMA_VERSION = 1;
/** How many bytes of each leaf the seal's index keeps: enough to name a moved or rewritten event. */
export const INDEX_LEAF_BYTES = 8;
const INDEX_ENTRY_BYTES = 8 + INDEX_LEAF_BYTES;

/**
 * The data of a `LedgerSealed` event in the `ledger` stream (docs/adr/0005-ledger-integrity.md).
 * It covers every event with `from < (transactionId, globalPosition) <= to` in the gap-safe order.
 */
export interface LedgerSealedData {
  /** 1 for the first seal; equals the seal's version in the ledger stream. */
  sealNumber: number;
  /** Exclusive lower bound: the previous seal's `to` (START for the first seal). */
  from: Checkpoint;
  /** Inclusive upper bound: the last event covered. */
  to: Checkpoint;
  count: number;
  /** hex RFC 9162 Merkle root (sha-256) over leaf = sha256(0x00 ‖ chainHash) of each covered event. */
  root: string;
  /** hex chain hash of the previous LedgerSealed event (64 zeros for the first). */
  prevSealHash: string;
  /**
   * base64 of `count` entries of 16 bytes: the global position (uint64 big-endian) and the first 8 bytes
   * of the leaf, in order. Not needed to check the root; it lets verify name the exact event that was
   * deleted, inserted, moved or rewritten inside a sealed range.
   */
  index: string;
}

export interface IndexEntry {
  globalPosition: bigint;
  /** hex, INDEX_LEAF_BYTES bytes. */
  leafPrefix: string;
}

export function encodeIndex(entries: readonly { globalPosition: bigint; leaf: Buffer }[]): string {
  const buffer = Buffer.alloc(entries.length * INDEX_ENTRY_BYTES);
  entries.forEach((entry, i) => {
    buffer.writeBigUInt64BE(entry.globalPosition, i * INDEX_ENTRY_BYTES);
    entry.leaf.copy(buffer, i * INDEX_ENTRY_BYTES + 8, 0, INDEX_LEAF_BYTES);
  });
  return buffer.toString('base64');
}

export function decodeIndex(index: string): IndexEntry[] {
  const buffer = Buffer.from(index, 'base64');
  if (buffer.length % INDEX_ENTRY_BYTES !== 0) throw new Error(`seal index of ${buffer.length} bytes is not a whole number of entries`);
  const entries: IndexEntry[] = [];
  for (let at = 0; at < buffer.length; at += INDEX_ENTRY_BYTES) {
    entries.push({
      globalPosition: buffer.readBigUInt64BE(at),
      leafPrefix: buffer.subarray(at + 8, at + INDEX_ENTRY_BYTES).toString('hex'),
    });
  }
  return entries;
}

/** Reads a stored seal's data, refusing anything that does not have the documented shape. */
export function parseSeal(data: Record<string, unknown>): LedgerSealedData {
  const seal = data as Partial<LedgerSealedData>;
  const isCheckpoint = (c: unknown): c is Checkpoint =>
    typeof c === 'object' && c !== null && /^\d+$/.test(String((c as Checkpoint).transactionId)) && /^\d+$/.test(String((c as Checkpoint).globalPosition));
  if (
    !Number.isInteger(seal.sealNumber) ||
    !isCheckpoint(seal.from) ||
    !isCheckpoint(seal.to) ||
    !Number.isInteger(seal.count) ||
    typeof seal.root !== 'string' ||
    !/^[0-9a-f]{64}$/.test(seal.root) ||
    typeof seal.prevSealHash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(seal.prevSealHash) ||
    typeof seal.index !== 'string'
  ) {
    throw new Error('not a LedgerSealed v1 payload');
  }
  return seal as LedgerSealedData;
}
