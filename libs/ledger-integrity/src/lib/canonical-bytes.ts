/**
 * RFC 8785 (JCS) text of a stored JSON document, written from its UTF-8 bytes without parsing it into
 * objects: what `canonicalJson(JSON.parse(text))` gives, for the documents where that is provably the
 * same bytes, and "not sure" (-1) for every other one, which the caller then canonicalises the slow way.
 *
 * Why it is the same: JCS writes a parsed string back as JSON.stringify does, and a number as
 * ECMAScript prints it; the text PostgreSQL prints for jsonb already writes strings that way (escapes
 * \" \\ \b \f \n \r \t and \u00xx for the other control characters, everything else as UTF-8), so a
 * string token is copied as is when every escape in it is one JSON.stringify would write. Only three
 * things change: whitespace is dropped, object members are put in key order, numbers other than plain
 * integers are re-printed through Number (the same conversion JSON.parse does). Keys are compared as
 * UTF-8 bytes, which orders them as JCS does (by UTF-16 code units) except between code points above
 * U+FFFF and U+E000–U+FFFF: a key with a byte ≥ 0xEE, or an escape, is left to the slow path, as are
 * duplicate keys, lone surrogates and anything that is not well-formed JSON.
 */
export class CanonicalWriter {
  /** The canonical bytes written so far; valid up to `length`. */
  out: Buffer = Buffer.allocUnsafe(4096);
  length = 0;
  private scratch: Buffer = Buffer.allocUnsafe(4096);
  /** Per member of the objects being written: key start, key end (without quotes) and member start, end in `out`. */
  private members = new Int32Array(256);
  /** The key order last found for an object of each member count, with its keys. */
  private readonly orders = new Map<number, KeyOrder>();
  private top = 0;

  reset(): void {
    this.length = 0;
    this.top = 0;
  }

  /** Appends ASCII text (the fixed parts around documents). */
  ascii(text: string): void {
    this.reserve(text.length);
    this.length += this.out.write(text, this.length, 'latin1');
  }

  /** Appends a uuid's 16 bytes as PostgreSQL prints it: 8-4-4-4-12 lower-case hex. */
  uuid(source: Uint8Array, at: number): void {
    this.reserve(36);
    const out = this.out;
    let length = this.length;
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) out[length++] = 0x2d;
      const byte = source[at + i];
      out[length++] = HEX_DIGITS[byte >> 4];
      out[length++] = HEX_DIGITS[byte & 15];
    }
    this.length = length;
  }

  /** Appends an integer (int4) in decimal, as JSON.stringify writes it. */
  integer(n: number): void {
    this.reserve(12);
    let rest = n;
    if (rest < 0) {
      this.out[this.length++] = 0x2d;
      rest = -rest;
    }
    let digits = 1;
    for (let r = rest; r >= 10; r = Math.floor(r / 10)) digits++;
    for (let k = this.length + digits - 1; k >= this.length; k--, rest = Math.floor(rest / 10)) this.out[k] = 0x30 + (rest % 10);
    this.length += digits;
  }

  /** Appends bytes as they are. */
  bytes(source: Uint8Array, start: number, end: number): void {
    this.reserve(end - start);
    for (let i = start; i < end; i++) this.out[this.length++] = source[i];
  }

  /**
   * Appends the canonical form of the JSON document in source[start, end). Returns false, with the
   * output in an unspecified state, when the document needs the slow path.
   */
  document(source: Uint8Array, start: number, end: number): boolean {
    // Canonical output only outgrows the input where a number is re-printed ("1e2" → "100"), and
    // number() makes room for that and for the rest of the input.
    this.reserve(end - start + 64);
    this.top = 0;
    const at = this.value(source, skipWhitespace(source, start, end), end);
    return at >= 0 && skipWhitespace(source, at, end) === end;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.out.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.out.length, this.length + extra));
    this.out.copy(grown, 0, 0, this.length);
    this.out = grown;
    this.scratch = Buffer.allocUnsafe(grown.length);
  }

  /** Writes the value starting at source[i]; returns the index after it, or -1. */
  private value(s: Uint8Array, i: number, end: number): number {
    if (i >= end) return -1;
    const c = s[i];
    if (c === 0x22) return this.string(s, i, end, false);
    if (c === 0x7b) return this.object(s, i, end);
    if (c === 0x5b) return this.array(s, i, end);
    if (c === 0x74) return this.literal(s, i, end, TRUE);
    if (c === 0x66) return this.literal(s, i, end, FALSE);
    if (c === 0x6e) return this.literal(s, i, end, NULL);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number(s, i, end);
    return -1;
  }

  private literal(s: Uint8Array, i: number, end: number, word: readonly number[]): number {
    if (i + word.length > end) return -1;
    for (let k = 0; k < word.length; k++) if (s[i + k] !== word[k]) return -1;
    for (let k = 0; k < word.length; k++) this.out[this.length++] = word[k];
    return i + word.length;
  }

  /** A string token, copied when JSON.stringify would write exactly these bytes. */
  private string(s: Uint8Array, i: number, end: number, key: boolean): number {
    const out = this.out;
    let length = this.length;
    out[length++] = 0x22;
    for (let k = i + 1; k < end; k++) {
      const c = s[k];
      // The common case first: printable ASCII other than the quote and the backslash.
      if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) {
        out[length++] = c;
        continue;
      }
      if (c === 0x22) {
        out[length++] = 0x22;
        this.length = length;
        return k + 1;
      }
      if (c < 0x20) return -1;
      if (c === 0x5c) {
        if (key || k + 1 >= end) return -1;
        const e = s[k + 1];
        if (e === 0x22 || e === 0x5c || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          out[length++] = c;
          out[length++] = e;
          k += 1;
          continue;
        }
        // \u00xx, lower-case hex, for a control character that has no short escape: as JSON.stringify writes it.
        if (e !== 0x75 || k + 5 >= end || s[k + 2] !== 0x30 || s[k + 3] !== 0x30 || (s[k + 4] !== 0x30 && s[k + 4] !== 0x31)) return -1;
        const low = s[k + 5];
        const digit = low >= 0x30 && low <= 0x39 ? low - 0x30 : low >= 0x61 && low <= 0x66 ? low - 0x61 + 10 : -1;
        const code = digit < 0 ? -1 : (s[k + 4] - 0x30) * 16 + digit;
        if (code < 0 || code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d) return -1;
        for (let m = 0; m < 6; m++) out[length++] = s[k + m];
        k += 5;
        continue;
      }
      // Keys order by UTF-16 code units in JCS: bytes agree with that below 0xEE (see above).
      if (key && c >= 0xee) return -1;
      // U+D800–U+DFFF encoded as UTF-8 (ED A0..BF xx): not valid UTF-8, JSON.parse would never see it.
      if (c === 0xed && k + 1 < end && s[k + 1] >= 0xa0) return -1;
      out[length++] = c;
    }
    return -1;
  }

  private number(s: Uint8Array, i: number, end: number): number {
    let k = i;
    if (s[k] === 0x2d) k++;
    const digits = k;
    while (k < end && s[k] >= 0x30 && s[k] <= 0x39) k++;
    const integerDigits = k - digits;
    if (integerDigits === 0 || (integerDigits > 1 && s[digits] === 0x30)) return -1;
    let plain = integerDigits <= 15 && !(s[i] === 0x2d && integerDigits === 1 && s[digits] === 0x30);
    if (k < end && s[k] === 0x2e) {
      plain = false;
      const fraction = ++k;
      while (k < end && s[k] >= 0x30 && s[k] <= 0x39) k++;
      if (k === fraction) return -1;
    }
    if (k < end && (s[k] === 0x65 || s[k] === 0x45)) {
      plain = false;
      k++;
      if (k < end && (s[k] === 0x2b || s[k] === 0x2d)) k++;
      const exponent = k;
      while (k < end && s[k] >= 0x30 && s[k] <= 0x39) k++;
      if (k === exponent) return -1;
    }
    if (plain) {
      for (let m = i; m < k; m++) this.out[this.length++] = s[m];
      return k;
    }
    // The grammar was checked above, so Number reads it as JSON.parse would; JCS prints it as ES does.
    const value = Number(Buffer.from(s.buffer, s.byteOffset + i, k - i).toString('latin1'));
    if (!Number.isFinite(value)) return -1;
    const text = JSON.stringify(value);
    this.reserve(text.length + (end - k)); // the rest of the document still has to fit
    this.length += this.out.write(text, this.length, 'latin1');
    return k;
  }

  private array(s: Uint8Array, i: number, end: number): number {
    this.out[this.length++] = 0x5b;
    let k = skipWhitespace(s, i + 1, end);
    if (k < end && s[k] === 0x5d) {
      this.out[this.length++] = 0x5d;
      return k + 1;
    }
    for (;;) {
      k = this.value(s, k, end);
      if (k < 0) return -1;
      k = skipWhitespace(s, k, end);
      if (k >= end) return -1;
      if (s[k] === 0x5d) {
        this.out[this.length++] = 0x5d;
        return k + 1;
      }
      if (s[k] !== 0x2c) return -1;
      this.out[this.length++] = 0x2c;
      k = skipWhitespace(s, k + 1, end);
    }
  }

  private object(s: Uint8Array, i: number, end: number): number {
    const open = this.length;
    this.out[this.length++] = 0x7b;
    let k = skipWhitespace(s, i + 1, end);
    if (k < end && s[k] === 0x7d) {
      this.out[this.length++] = 0x7d;
      return k + 1;
    }
    const base = this.top;
    let count = 0;
    for (;;) {
      if (k >= end || s[k] !== 0x22) return -1;
      if (this.top + 4 > this.members.length) {
        const grown = new Int32Array(this.members.length * 2);
        grown.set(this.members);
        this.members = grown;
      }
      const slot = this.top;
      this.top += 4;
      const memberStart = this.length;
      k = this.string(s, k, end, true);
      if (k < 0) return -1;
      this.members[slot] = memberStart + 1;
      this.members[slot + 1] = this.length - 1;
      this.members[slot + 2] = memberStart;
      k = skipWhitespace(s, k, end);
      if (k >= end || s[k] !== 0x3a) return -1;
      this.out[this.length++] = 0x3a;
      k = this.value(s, skipWhitespace(s, k + 1, end), end);
      if (k < 0) return -1;
      this.top = slot + 4; // members of nested objects are done with
      this.members[slot + 3] = this.length;
      count += 1;
      k = skipWhitespace(s, k, end);
      if (k >= end) return -1;
      if (s[k] === 0x7d) break;
      if (s[k] !== 0x2c) return -1;
      this.out[this.length++] = 0x2c;
      k = skipWhitespace(s, k + 1, end);
    }
    if (!this.sortMembers(base, count, open)) return -1;
    this.top = base;
    this.out[this.length++] = 0x7d;
    return k + 1;
  }

  /** Puts the members written since `open` in key order; false on a duplicate key. */
  private sortMembers(base: number, count: number, open: number): boolean {
    if (count < 2) return true;
    // Events of one type repeat the same keys in the same stored order: their key order is looked up
    // (the keys compared byte for byte with the last object of this size) rather than sorted again.
    let known = this.orders.get(count);
    if (!known || !this.sameKeys(base, count, known)) {
      known = this.orderOf(base, count);
      if (!known) return false;
      this.orders.set(count, known);
    }
    if (known.identity) return true;
    // Move the members out, then back in key order with commas between them.
    const from = open + 1;
    const out = this.out;
    const scratch = this.scratch;
    const m = this.members;
    const order = known.order;
    out.copy(scratch, 0, from, this.length);
    let at = from;
    for (let j = 0; j < count; j++) {
      if (j > 0) out[at++] = 0x2c;
      const slot = base + 4 * order[j];
      const stop = m[slot + 3] - from;
      for (let b = m[slot + 2] - from; b < stop; b++) out[at++] = scratch[b];
    }
    this.length = at;
    return true;
  }

  /** The key order of the members at `base` (as member indices), or undefined on a duplicate key. */
  private orderOf(base: number, count: number): KeyOrder | undefined {
    const order = new Int32Array(count);
    // Insertion sort: objects are small.
    for (let j = 0; j < count; j++) {
      let k = j;
      while (k > 0 && this.compareKeys(base + 4 * order[k - 1], base + 4 * j) > 0) {
        order[k] = order[k - 1];
        k--;
      }
      order[k] = j;
    }
    let identity = true;
    for (let j = 0; j < count; j++) {
      if (j > 0 && this.compareKeys(base + 4 * order[j - 1], base + 4 * order[j]) === 0) return undefined;
      if (order[j] !== j) identity = false;
    }
    const keys: number[] = [];
    const ends = new Int32Array(count);
    for (let j = 0; j < count; j++) {
      for (let b = this.members[base + 4 * j]; b < this.members[base + 4 * j + 1]; b++) keys.push(this.out[b]);
      ends[j] = keys.length;
    }
    return { order, identity, keys: Uint8Array.from(keys), ends };
  }

  private sameKeys(base: number, count: number, known: KeyOrder): boolean {
    const m = this.members;
    const out = this.out;
    const { keys, ends } = known;
    let at = 0;
    for (let j = 0; j < count; j++) {
      const start = m[base + 4 * j];
      if (m[base + 4 * j + 1] - start !== ends[j] - at) return false;
      for (let b = start; at < ends[j]; b++, at++) if (out[b] !== keys[at]) return false;
    }
    return true;
  }

  private compareKeys(a: number, b: number): number {
    const m = this.members;
    const out = this.out;
    const aStart = m[a];
    const aLength = m[a + 1] - aStart;
    const bStart = m[b];
    const bLength = m[b + 1] - bStart;
    const n = Math.min(aLength, bLength);
    for (let k = 0; k < n; k++) {
      const d = out[aStart + k] - out[bStart + k];
      if (d !== 0) return d;
    }
    return aLength - bLength;
  }
}

interface KeyOrder {
  /** Member indices in key order. */
  order: Int32Array;
  identity: boolean;
  /** The keys' bytes in stored order, and where each ends. */
  keys: Uint8Array;
  ends: Int32Array;
}

const HEX_DIGITS = Buffer.from('0123456789abcdef');
const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function skipWhitespace(s: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = s[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}
