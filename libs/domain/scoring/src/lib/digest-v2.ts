import { SortedKeys } from './canonical-units';
import type { CriterionResult, Evaluation, EvaluationInput, HashFactory, IncrementalHash, IneligibleReason, UnitResult } from './criteria-set';

/**
 * Digest version 2 (ADR 0009; byte format in docs/scoring/README.md, "Digest version 2"): the content
 * of version 1, written as binary records instead of canonical JSON text, so a run no longer spends
 * most of a second writing ~200 MB of shortest-form numbers and quoted strings.
 * - str: u32 count of UTF-16 code units, then each code unit as u16 (any JS string, lone surrogates
 *   included, has exactly one encoding);
 * - word (a string units repeat): u32 0 then its str at its first occurrence in the stream, which
 *   numbers it (1, 2, … in order of first occurrence); u32 n for word n after;
 * - f64: IEEE 754 binary64, -0 written as 0 (as JSON does); NaN and infinities are refused;
 * - opt: a byte 0 (null or absent) or 1 followed by the value; bool: a byte 0 or 1;
 * - list: u32 count, then the items; record: u32 count, then (word key, f64 value) by key in UTF-16
 *   code unit order (RFC 8785's order).
 * Every integer is unsigned big-endian. Units are written in unit-code order; units with the same code
 * (never from `evaluate`, possible in a tampered record) in the order of their own encodings, so the
 * order they are given in never counts. The results digest names the inputs digest instead of hashing
 * every input a second time.
 */

const INPUTS_MAGIC = 'cdt-evaluation-inputs/2';
const RESULTS_MAGIC = 'cdt-evaluation-results/2';
const CHUNK = 64 * 1024;

/** Writes the format into a reused buffer, handing each full buffer to the hash (which copies it). */
class ByteSink {
  private readonly bytes = new Uint8Array(CHUNK);
  private readonly view = new DataView(this.bytes.buffer);
  private at = 0;
  /** The words of this stream so far, by number (see `word`). */
  private readonly words = new Map<string, number>();

  constructor(private readonly hash: IncrementalHash) {}

  private room(n: number): void {
    if (this.at + n > CHUNK) this.flush();
  }

  flush(): void {
    if (this.at > 0) this.hash.update(this.bytes.subarray(0, this.at));
    this.at = 0;
  }

  u8(value: number): void {
    this.room(1);
    this.bytes[this.at++] = value;
  }

  u32(value: number): void {
    this.room(4);
    this.view.setUint32(this.at, value);
    this.at += 4;
  }

  f64(value: number): void {
    if (!Number.isFinite(value)) throw new Error(`${value} cannot be written in an evaluation digest`);
    this.room(8);
    this.view.setFloat64(this.at, value === 0 ? 0 : value);
    this.at += 8;
  }

  optF64(value: number | null | undefined): void {
    if (value === null || value === undefined) this.u8(0);
    else {
      this.u8(1);
      this.f64(value);
    }
  }

  str(value: string): void {
    this.u32(value.length);
    for (let i = 0; i < value.length; i++) {
      if (this.at + 2 > CHUNK) this.flush();
      const c = value.charCodeAt(i);
      this.bytes[this.at] = c >>> 8;
      this.bytes[this.at + 1] = c & 0xff;
      this.at += 2;
    }
  }

  optStr(value: string | null | undefined): void {
    if (value === null || value === undefined) this.u8(0);
    else {
      this.u8(1);
      this.str(value);
    }
  }

  /**
   * A string every unit repeats (codes, keys, notes, messages): `u32 0` and the str the first time it
   * occurs in the stream (it is numbered 1, 2, … in that order), `u32 n` for word n after.
   */
  word(value: string): void {
    const n = this.words.get(value);
    if (n !== undefined) this.u32(n);
    else {
      this.words.set(value, this.words.size + 1);
      this.u32(0);
      this.str(value);
    }
  }

  record(values: Readonly<Record<string, number>>, order: SortedKeys): void {
    const keys = order.of(values);
    let count = 0;
    for (const key of keys) if (values[key] !== undefined) count++;
    this.u32(count);
    for (const key of keys) {
      const value = values[key];
      if (value === undefined) continue;
      this.word(key);
      this.f64(value);
    }
  }
}

const figureKeys = new SortedKeys();
const targetKeys = new SortedKeys();

const writeInput = (out: ByteSink, input: EvaluationInput): void => {
  out.str(input.unitCode);
  out.optStr(input.unitName);
  out.word(input.parentCode);
  out.record(input.figures, figureKeys);
  out.record(input.targets, targetKeys);
};

const writeReason = (out: ByteSink, reason: IneligibleReason): void => {
  out.word(reason.rule);
  out.optF64(reason.value);
  out.word(reason.message);
};

const writeLine = (out: ByteSink, line: CriterionResult): void => {
  out.word(line.criterion);
  out.optF64(line.raw);
  out.f64(line.normalised);
  out.f64(line.points);
  if (line.note === undefined) out.u8(0);
  else {
    out.u8(1);
    out.word(line.note);
  }
};

const writeResult = (out: ByteSink, result: UnitResult): void => {
  out.str(result.unitCode);
  out.optStr(result.unitName);
  out.word(result.parentCode);
  out.u8(result.eligible ? 1 : 0);
  out.u32(result.ineligibleReasons.length);
  for (const reason of result.ineligibleReasons) writeReason(out, reason);
  out.f64(result.score);
  out.u32(result.breakdown.length);
  for (const line of result.breakdown) writeLine(out, line);
  out.optF64(result.rank);
  if (result.tier === null) out.u8(0);
  else {
    out.u8(1);
    out.word(result.tier);
  }
};

const byUnitCode = <T extends { readonly unitCode: string }>(a: T, b: T): number => (a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : 0);

/** A hash that keeps what it is fed, to order units that share a code by their bytes. */
const collected = (): IncrementalHash & { bytes(): Uint8Array } => {
  const parts: Uint8Array[] = [];
  return {
    update(data: string | Uint8Array) {
      if (typeof data === 'string') throw new Error('the digest format is binary');
      parts.push(data.slice());
    },
    digest: () => '',
    bytes() {
      const all = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
      let at = 0;
      for (const part of parts) {
        all.set(part, at);
        at += part.length;
      }
      return all;
    },
  };
};

const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
};

/**
 * Each item in unit-code order; items sharing a code in the order of their encodings on their own
 * (each in a fresh stream, so with its own words), then written into the stream like the others.
 */
function writeUnits<T extends { readonly unitCode: string }>(out: ByteSink, items: readonly T[], write: (out: ByteSink, item: T) => void): void {
  const sorted = [...items].sort(byUnitCode);
  out.u32(sorted.length);
  for (let i = 0; i < sorted.length; ) {
    let end = i + 1;
    while (end < sorted.length && sorted[end].unitCode === sorted[i].unitCode) end++;
    if (end === i + 1) write(out, sorted[i]);
    else {
      const alone = sorted.slice(i, end).map((item) => {
        const hash = collected();
        const own = new ByteSink(hash);
        write(own, item);
        own.flush();
        return { item, bytes: hash.bytes() };
      });
      for (const { item } of alone.sort((a, b) => compareBytes(a.bytes, b.bytes))) write(out, item);
    }
    i = end;
  }
}

/** Version 2 inputs digest: sha-256 (the caller's) hex of the magic, the unit count and each input. */
export const evaluationInputsDigestV2 = (inputs: readonly EvaluationInput[], newHash: HashFactory): string => {
  const hash = newHash();
  const out = new ByteSink(hash);
  out.str(INPUTS_MAGIC);
  writeUnits(out, inputs, writeInput);
  out.flush();
  return hash.digest('hex');
};

/**
 * Version 2 results digest: the magic, criteria code and version, maximum score, the inputs digest
 * (hex, as a str) and every result. The inputs are covered through their digest.
 */
export const evaluationResultsDigestV2 = (inputsDigest: string, evaluation: Evaluation, newHash: HashFactory): string => {
  const hash = newHash();
  const out = new ByteSink(hash);
  out.str(RESULTS_MAGIC);
  out.str(evaluation.criteriaCode);
  out.f64(evaluation.criteriaVersion);
  out.f64(evaluation.maxScore);
  out.str(inputsDigest);
  writeUnits(out, evaluation.results, writeResult);
  out.flush();
  return hash.digest('hex');
};

/** Both version 2 digests of a run. */
export const evaluationDigestsV2 = (inputs: readonly EvaluationInput[], evaluation: Evaluation, newHash: HashFactory): { inputsDigest: string; resultsDigest: string } => {
  const inputsDigest = evaluationInputsDigestV2(inputs, newHash);
  return { inputsDigest, resultsDigest: evaluationResultsDigestV2(inputsDigest, evaluation, newHash) };
};
