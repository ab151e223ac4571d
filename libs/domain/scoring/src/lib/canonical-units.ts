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

const record = (values: Readonly<Record<string, number>>): string => {
  let out = '';
  for (const key of Object.keys(values).sort()) {
    const value = values[key];
    if (value === undefined) continue;
    out += `${out === '' ? '' : ','}${text(key)}:${number(value)}`;
  }
  return `{${out}}`;
};

export const canonicalInput = (input: EvaluationInput): string =>
  `{"figures":${record(input.figures)},"parentCode":${text(input.parentCode)},"targets":${record(input.targets)},"unitCode":${text(input.unitCode)}${
    input.unitName === undefined ? '' : `,"unitName":${text(input.unitName)}`
  }}`;

const breakdownLine = (line: CriterionResult): string =>
  `{"criterion":${text(line.criterion)},"normalised":${number(line.normalised)}${line.note === undefined ? '' : `,"note":${text(line.note)}`},"points":${number(line.points)},"raw":${orNull(line.raw)}}`;

const reason = (r: IneligibleReason): string => `{"message":${text(r.message)},"rule":${text(r.rule)},"value":${orNull(r.value)}}`;

export const canonicalResult = (result: UnitResult): string =>
  `{"breakdown":[${result.breakdown.map(breakdownLine).join(',')}],"eligible":${result.eligible},"ineligibleReasons":[${result.ineligibleReasons.map(reason).join(',')}],"parentCode":${text(result.parentCode)},"rank":${orNull(result.rank)},"score":${number(result.score)},"tier":${result.tier === null ? 'null' : text(result.tier)},"unitCode":${text(result.unitCode)}${
    result.unitName === undefined ? '' : `,"unitName":${text(result.unitName)}`
  }}`;
