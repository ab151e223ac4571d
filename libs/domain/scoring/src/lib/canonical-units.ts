import type { CriterionResult, EvaluationInput, IneligibleReason, UnitResult } from './criteria-set';

/**
 * RFC 8785 canonical JSON of one unit's input and result, byte for byte what `canonicalize` writes for
 * the documented fields (a property test holds it to that), written by hand because the generic
 * serializer spends seconds and most of the garbage collector on a 75,000-unit run. Keys are listed in
 * sorted order here; records (figures, targets) are sorted at run time. Fields outside the documented
 * types are not covered.
 */

/** Whether JSON writes the string as it is: no quote, backslash, control character or surrogate to escape. */
const isPlain = (value: string): boolean => {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
};
const text = (value: string): string => (isPlain(value) ? `"${value}"` : JSON.stringify(value));

/** ECMAScript's shortest round-trip form, which is what JSON (and RFC 8785) writes for a finite number. */
const number = (value: number): string => {
  if (!Number.isFinite(value)) throw new Error(`${value} cannot be written as canonical JSON`);
  return String(value);
};

const orNull = (value: number | null): string => (value === null ? 'null' : number(value));

/**
 * The quoted form of a string every unit repeats (criterion and rule codes, notes, figure keys, parent
 * and tier codes): memoised, as 75,000 units would otherwise scan the same few hundred strings a million
 * times. Bounded, so unexpected variety costs only the cache's refills.
 */
const quotedCache = new Map<string, string>();
const QUOTED_KEPT = 4096;
const quoted = (value: string): string => {
  let out = quotedCache.get(value);
  if (out === undefined) {
    out = text(value);
    if (quotedCache.size >= QUOTED_KEPT) quotedCache.clear();
    quotedCache.set(value, out);
  }
  return out;
};

/**
 * A record's keys in canonical (UTF-16 code unit) order. Records of one run are built by the same code,
 * so their keys come in the same order: the last order seen and its sorted form are kept, and reused
 * when the next record's keys are the same strings in the same order.
 */
export class SortedKeys {
  private seen: readonly string[] = [];
  private sorted: readonly string[] = [];

  of(values: Readonly<Record<string, number>>): readonly string[] {
    const keys = Object.keys(values);
    if (keys.length === this.seen.length) {
      let same = true;
      for (let i = 0; i < keys.length && same; i++) same = keys[i] === this.seen[i];
      if (same) return this.sorted;
    }
    this.seen = keys;
    this.sorted = [...keys].sort();
    return this.sorted;
  }
}

const figureKeys = new SortedKeys();
const targetKeys = new SortedKeys();

const record = (values: Readonly<Record<string, number>>, order: SortedKeys): string => {
  let out = '';
  for (const key of order.of(values)) {
    const value = values[key];
    if (value === undefined) continue;
    out += `${out === '' ? '' : ','}${quoted(key)}:${number(value)}`;
  }
  return `{${out}}`;
};

export const canonicalInput = (input: EvaluationInput): string =>
  `{"figures":${record(input.figures, figureKeys)},"parentCode":${quoted(input.parentCode)},"targets":${record(input.targets, targetKeys)},"unitCode":${text(input.unitCode)}${
    input.unitName === undefined ? '' : `,"unitName":${text(input.unitName)}`
  }}`;

const breakdownLine = (line: CriterionResult): string =>
  `{"criterion":${quoted(line.criterion)},"normalised":${number(line.normalised)}${line.note === undefined ? '' : `,"note":${quoted(line.note)}`},"points":${number(line.points)},"raw":${orNull(line.raw)}}`;

const reason = (r: IneligibleReason): string => `{"message":${text(r.message)},"rule":${quoted(r.rule)},"value":${orNull(r.value)}}`;

const list = <T>(items: readonly T[], write: (item: T) => string): string => {
  let out = '';
  for (let i = 0; i < items.length; i++) out += i === 0 ? write(items[i]) : `,${write(items[i])}`;
  return out;
};

export const canonicalResult = (result: UnitResult): string =>
  `{"breakdown":[${list(result.breakdown, breakdownLine)}],"eligible":${result.eligible},"ineligibleReasons":[${list(result.ineligibleReasons, reason)}],"parentCode":${quoted(result.parentCode)},"rank":${orNull(result.rank)},"score":${number(result.score)},"tier":${result.tier === null ? 'null' : quoted(result.tier)},"unitCode":${text(result.unitCode)}${
    result.unitName === undefined ? '' : `,"unitName":${text(result.unitName)}`
  }}`;
