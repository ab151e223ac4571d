import { hash } from 'node:crypto';
import { canonicalContent, computeChainHash, type EventMetadata } from '@cdt/event-store';
import { CanonicalWriter } from './canonical-bytes';
import { Column, COLUMNS, PG_EPOCH_MICROS, uuidText } from './log-scan';

/**
 * The per-event hashing of verification, as plain data so a batch can cross to a worker thread: the
 * page's rows (binary COPY format, see log-scan.ts), where each column starts, and for event i the
 * stored chain hash of its stream's previous event in walk order (`prevHashes[i]`, binary string).
 * For each event the chain step is recomputed from that and the event's content as stored, compared
 * with its stored hash, and its Merkle leaf is computed.
 */
export interface HashBatch {
  rows: Uint8Array;
  offsets: Int32Array;
  count: number;
  /** binary (latin1) strings of 32 bytes; 32 zero bytes for a stream's first event. */
  prevHashes: string[];
}

export interface HashedBatch {
  /** 1 where the recomputed chain hash equals the stored one. */
  matches: Uint8Array;
  /** leaf = sha256(0x00 ‖ stored chain hash), binary strings. */
  leaves: string[];
}

// Hashes come back as binary (latin1) strings: Node's one-shot hash costs about a third of a
// microsecond less per call when it does not have to make a Buffer, and verify makes four per event.
const DATA = Buffer.from('{"data":');
const EVENT_ID = Buffer.from(',"eventId":"');
const METADATA = Buffer.from('","metadata":');
const SCHEMA_VERSION = Buffer.from(',"schemaVersion":');
const TYPE = Buffer.from(',"type":"');
const CLOSE = Buffer.from('"}');

/** Hashes events [from, to) of a batch into `into` (by default all of them, into a new result). */
export function hashBatch(batch: HashBatch, from = 0, to = batch.count, into: HashedBatch = emptyHashed(batch.count)): HashedBatch {
  const rows = Buffer.from(batch.rows.buffer, batch.rows.byteOffset, batch.rows.byteLength);
  const hasher = new EventHasher(rows, batch.offsets);
  const { matches, leaves } = into;
  for (let i = from; i < to; i++) {
    const stored = hasher.column(i, Column.hash);
    const storedHash = rows.toString('latin1', stored, stored + rows.readInt32BE(stored - 4));
    // A mismatch is recomputed the reference way (parse, canonicalise, hash) before it counts: the
    // fast path can only make verify slower, never report an event that is intact.
    matches[i] = hasher.chainHash(i, batch.prevHashes[i]) === storedHash || hasher.referenceChainHash(i, batch.prevHashes[i]) === storedHash ? 1 : 0;
    leaves[i] = hasher.leaf(storedHash);
  }
  return into;
}

export const emptyHashed = (count: number): HashedBatch => ({ matches: new Uint8Array(count), leaves: new Array<string>(count) });

/** The chain hash the stored content of event `i` of a page gives after `prevHash` (binary strings): the reference computation. */
export function referenceChainHash(rows: Buffer, offsets: Int32Array, i: number, prevHash: string): string {
  return new EventHasher(rows, offsets).referenceChainHash(i, prevHash);
}

class EventHasher {
  private readonly canonical = new CanonicalWriter();
  private chainInput = Buffer.allocUnsafe(512);
  private readonly leafInput = Buffer.allocUnsafe(33);

  constructor(
    private readonly rows: Buffer,
    private readonly offsets: Int32Array,
  ) {
    this.leafInput[0] = 0x00;
  }

  column(i: number, column: number): number {
    return this.offsets[i * COLUMNS + column];
  }

  private end(start: number): number {
    return start + this.rows.readInt32BE(start - 4);
  }

  /**
   * hash_v = sha256(hash_{v-1} ‖ sha256(JCS(eventId, type, schemaVersion, data, metadata)) ‖
   * utf8(`${stream}/${v}/${recordedAtMicros}`)) (@cdt/event-store hash-chain.ts), the canonical text
   * written straight from the stored bytes where canonical-bytes.ts can.
   */
  chainHash(i: number, prevHash: string): string | undefined {
    const digest = this.contentDigest(i);
    return digest === undefined ? undefined : this.chainStep(i, prevHash, digest);
  }

  private contentDigest(i: number): string | undefined {
    const rows = this.rows;
    const out = this.canonical;
    out.reset();
    const data = this.column(i, Column.data);
    const metadata = this.column(i, Column.metadata);
    const type = this.column(i, Column.type);
    const typeEnd = this.end(type);
    // jsonb's binary form is a version byte (1) and its text; a type is written as a JSON string only
    // where that is its bytes in quotes.
    if (rows[data] !== 1 || rows[metadata] !== 1 || !plainText(rows, type, typeEnd)) return undefined;
    out.bytes(DATA, 0, DATA.length);
    if (!out.document(rows, data + 1, this.end(data))) return undefined;
    out.bytes(EVENT_ID, 0, EVENT_ID.length);
    const id = this.column(i, Column.eventId);
    if (this.end(id) - id !== 16) return undefined;
    out.uuid(rows, id);
    out.bytes(METADATA, 0, METADATA.length);
    if (!out.document(rows, metadata + 1, this.end(metadata))) return undefined;
    out.bytes(SCHEMA_VERSION, 0, SCHEMA_VERSION.length);
    out.integer(rows.readInt32BE(this.column(i, Column.schemaVersion)));
    out.bytes(TYPE, 0, TYPE.length);
    out.bytes(rows, type, typeEnd);
    out.bytes(CLOSE, 0, CLOSE.length);
    return hash('sha256', new Uint8Array(out.out.buffer, out.out.byteOffset, out.length), 'binary');
  }

  private chainStep(i: number, prevHash: string, digest: string): string {
    const rows = this.rows;
    const name = this.column(i, Column.streamName);
    const nameEnd = this.end(name);
    if (this.chainInput.length < 64 + (nameEnd - name) + 48) this.chainInput = Buffer.allocUnsafe(2 * (64 + nameEnd - name + 48));
    const input = this.chainInput;
    // Small pieces are written byte by byte: cheaper here than a call into Buffer.write or copy each.
    for (let k = 0; k < 32; k++) input[k] = prevHash.charCodeAt(k);
    for (let k = 0; k < 32; k++) input[32 + k] = digest.charCodeAt(k);
    let at = 64;
    for (let k = name; k < nameEnd; k++) input[at++] = rows[k];
    input[at++] = 0x2f; // '/'
    at = writeDecimal(input, at, rows.readInt32BE(this.column(i, Column.streamVersion)));
    input[at++] = 0x2f;
    const recordedAt = this.column(i, Column.recordedAt);
    const high = rows.readInt32BE(recordedAt);
    const micros = high * 0x1_0000_0000 + rows.readUInt32BE(recordedAt + 4) + PG_EPOCH_MICROS;
    if (high < 0x200000 && high >= -0x200000 && Number.isSafeInteger(micros)) at = writeDecimal(input, at, micros);
    else at += input.write((rows.readBigInt64BE(recordedAt) + BigInt(PG_EPOCH_MICROS)).toString(), at, 'latin1');
    return hash('sha256', new Uint8Array(input.buffer, input.byteOffset, at), 'binary');
  }

  leaf(storedHash: string): string {
    if (storedHash.length !== 32) return hash('sha256', Buffer.concat([Buffer.alloc(1), Buffer.from(storedHash, 'latin1')]), 'binary');
    const input = this.leafInput;
    for (let k = 0; k < 32; k++) input[1 + k] = storedHash.charCodeAt(k);
    return hash('sha256', input, 'binary');
  }

  /** The chain step as @cdt/event-store computes it: JSON.parse, canonicalJson, one hash after another. */
  referenceChainHash(i: number, prevHash: string): string {
    const rows = this.rows;
    const text = (column: number, skip = 0) => {
      const start = this.column(i, column);
      return rows.toString('utf8', start + skip, this.end(start));
    };
    const digest = hash('sha256', canonicalContent({
      eventId: uuidText(rows, this.column(i, Column.eventId)),
      type: text(Column.type),
      schemaVersion: rows.readInt32BE(this.column(i, Column.schemaVersion)),
      data: JSON.parse(text(Column.data, 1)) as Record<string, unknown>,
      metadata: JSON.parse(text(Column.metadata, 1)) as EventMetadata,
    }), 'buffer');
    const recordedAt = rows.readBigInt64BE(this.column(i, Column.recordedAt)) + BigInt(PG_EPOCH_MICROS);
    return computeChainHash(Buffer.from(prevHash, 'latin1'), digest, text(Column.streamName), rows.readInt32BE(this.column(i, Column.streamVersion)), recordedAt).toString('latin1');
  }
}

/** Bytes that JSON.stringify writes back unchanged between quotes (no quote, backslash, control or surrogate). */
function plainText(rows: Uint8Array, start: number, end: number): boolean {
  for (let k = start; k < end; k++) {
    const c = rows[k];
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c === 0xed && k + 1 < end && rows[k + 1] >= 0xa0)) return false;
  }
  return true;
}

/** Writes a safe integer in decimal (as String(n) would) at `at`; returns the index after it. */
export function writeDecimal(buffer: Uint8Array, at: number, n: number): number {
  if (n < 0) {
    buffer[at++] = 0x2d;
    n = -n;
  }
  // Above 2^31 in two halves of at most 8 digits each, so the digit loop stays in small integers.
  if (n >= 0x8000_0000) {
    const high = Math.floor(n / 1e8);
    at = writeDecimal(buffer, at, high);
    return writeDigits(buffer, at, n - high * 1e8, 8);
  }
  let digits = 1;
  for (let rest = n; rest >= 10; rest = (rest / 10) | 0) digits++;
  return writeDigits(buffer, at, n, digits);
}

/** `n` (< 2^31) as exactly `digits` digits, zero-padded. */
function writeDigits(buffer: Uint8Array, at: number, n: number, digits: number): number {
  for (let k = at + digits - 1; k >= at; k--) {
    const rest = (n / 10) | 0;
    buffer[k] = 0x30 + n - rest * 10;
    n = rest;
  }
  return at + digits;
}
