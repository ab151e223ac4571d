import canonicalize from 'canonicalize';
import { canonicalInput, canonicalResult } from './canonical-units';
import { evaluationDigestsV2, evaluationInputsDigestV2 } from './digest-v2';
import type { CriteriaSet, Evaluation, EvaluationInput, HashFactory, UnitResult } from './criteria-set';

/**
 * What a published criteria set and an evaluation run are pinned by. Both are RFC 8785 (JCS) canonical
 * JSON, so key order, whitespace and the platform never change a checksum. The domain does no crypto:
 * the caller passes a sha-256 factory (docs/scoring/README.md, "Checksums and digests").
 */

const canonical = (value: unknown, what: string): string => {
  const text = canonicalize(value);
  if (text === undefined) throw new Error(`${what} cannot be written as canonical JSON`);
  return text;
};

/** The canonical JSON of a set: what its checksum covers. */
export const canonicalCriteriaSet = (set: CriteriaSet): string => canonical(set, `criteria set ${set.code} v${set.version}`);

/** sha-256 hex of `canonicalCriteriaSet(set)`. */
export const criteriaChecksum = (set: CriteriaSet, newHash: HashFactory): string => {
  const hash = newHash();
  hash.update(canonicalCriteriaSet(set));
  return hash.digest('hex');
};

const byCode = <T extends { readonly unitCode: string }>(items: readonly T[]): Map<string, T> => new Map(items.map((item) => [item.unitCode, item]));
const sortedUnion = (a: Iterable<string>, b: Iterable<string>): string[] => [...new Set([...a, ...b])].sort();

const header = (evaluation: Evaluation, units: number): string =>
  `${canonical({ criteriaCode: evaluation.criteriaCode, criteriaVersion: evaluation.criteriaVersion, maxScore: evaluation.maxScore, units }, 'evaluation header')}\n`;

/**
 * The digest text, one canonical JSON line per piece: a header (criteria, maximum score, unit count),
 * then each unit by unit code with its input and its result. Fed line by line into the hash, so 75,000
 * units never become one string.
 */
export function* evaluationDigestLines(inputs: readonly EvaluationInput[], evaluation: Evaluation): Generator<string> {
  const results = byCode(evaluation.results);
  const given = byCode(inputs);
  const codes = sortedUnion(given.keys(), results.keys());
  yield header(evaluation, codes.length);
  for (const code of codes) {
    const input = given.get(code);
    const result = results.get(code);
    yield `{"input":${input === undefined ? 'null' : canonicalInput(input)},"result":${result === undefined ? 'null' : canonicalResult(result)}}\n`;
  }
}

/** sha-256 hex over `evaluationDigestLines`: the same inputs and results give the same digest, in any order. */
export const evaluationDigest = (inputs: readonly EvaluationInput[], evaluation: Evaluation, newHash: HashFactory): string => {
  const hash = newHash();
  for (const line of evaluationDigestLines(inputs, evaluation)) hash.update(line);
  return hash.digest('hex');
};

const byUnitCode = (a: EvaluationInput, b: EvaluationInput): number => (a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : 0);

/**
 * sha-256 hex over the inputs alone, in unit-code order, one canonical JSON line each (`…\n`): the
 * same bytes as hashing `canonicalize(input) + '\n'` per input, written without the generic serializer.
 */
export const evaluationInputsDigest = (inputs: readonly EvaluationInput[], newHash: HashFactory): string => {
  const hash = newHash();
  for (const input of [...inputs].sort(byUnitCode)) hash.update(`${canonicalInput(input)}\n`);
  return hash.digest('hex');
};

/**
 * Both digests of a run, `evaluationInputsDigest` and `evaluationDigest`, in one pass that writes each
 * input's canonical line once for both (the same bytes as calling the two).
 */
export const evaluationDigests = (inputs: readonly EvaluationInput[], evaluation: Evaluation, newHash: HashFactory): { inputsDigest: string; resultsDigest: string } => {
  const given = byCode(inputs);
  // The inputs digest hashes every input, a repeated unit code twice; the results digest names each code once.
  if (given.size !== inputs.length) return { inputsDigest: evaluationInputsDigest(inputs, newHash), resultsDigest: evaluationDigest(inputs, evaluation, newHash) };
  const results = byCode(evaluation.results);
  const codes = sortedUnion(given.keys(), results.keys());
  const inputsHash = newHash();
  const resultsHash = newHash();
  resultsHash.update(header(evaluation, codes.length));
  for (const code of codes) {
    const input = given.get(code);
    const result = results.get(code);
    const inputLine = input === undefined ? 'null' : canonicalInput(input);
    if (input !== undefined) {
      // Hashed on its own first, the line is flattened once and reused flat in the results line.
      inputsHash.update(inputLine);
      inputsHash.update('\n');
    }
    resultsHash.update(`{"input":${inputLine},"result":${result === undefined ? 'null' : canonicalResult(result)}}\n`);
  }
  return { inputsDigest: inputsHash.digest('hex'), resultsDigest: resultsHash.digest('hex') };
};

/**
 * Which definition a run's digests follow (recorded as the run's `digestVersion`; absent = 1):
 * 1 = canonical JSON lines (`evaluationInputsDigest`, `evaluationDigest`), every run before ADR 0009;
 * 2 = the binary records of digest-v2.ts (docs/scoring/README.md, "Digest version 2").
 */
export type DigestVersion = 1 | 2;
export const DIGEST_VERSIONS: readonly DigestVersion[] = [1, 2];
/** What new runs record. */
export const CURRENT_DIGEST_VERSION: DigestVersion = 2;
export const isDigestVersion = (value: unknown): value is DigestVersion => DIGEST_VERSIONS.includes(value as DigestVersion);

/** The inputs digest of the given version. */
export const evaluationInputsDigestOf = (version: DigestVersion, inputs: readonly EvaluationInput[], newHash: HashFactory): string => {
  switch (version) {
    case 1:
      return evaluationInputsDigest(inputs, newHash);
    case 2:
      return evaluationInputsDigestV2(inputs, newHash);
    default: {
      const unknown: never = version;
      throw new Error(`unknown digest version ${String(unknown)}`);
    }
  }
};

/** Both digests of a run, of the given version. */
export const evaluationDigestsOf = (version: DigestVersion, inputs: readonly EvaluationInput[], evaluation: Evaluation, newHash: HashFactory): { inputsDigest: string; resultsDigest: string } => {
  switch (version) {
    case 1:
      return evaluationDigests(inputs, evaluation, newHash);
    case 2:
      return evaluationDigestsV2(inputs, evaluation, newHash);
    default: {
      const unknown: never = version;
      throw new Error(`unknown digest version ${String(unknown)}`);
    }
  }
};

const show = (value: unknown): string => (value === undefined ? 'absent' : JSON.stringify(value));
const differs = (a: unknown, b: unknown): boolean => show(a) !== show(b);
const pair = (a: unknown, b: unknown): string => `${show(a)} ≠ ${show(b)}`;

/** What a unit's own figures gave: breakdown, score, eligibility. A difference here is a cause. */
const ownDifference = (code: string, a: UnitResult, b: UnitResult): string | undefined => {
  if (a.parentCode !== b.parentCode) return `unit ${code}: parentCode ${pair(a.parentCode, b.parentCode)}`;
  const criteria = sortedUnion(
    a.breakdown.map((line) => line.criterion),
    b.breakdown.map((line) => line.criterion),
  );
  for (const criterion of criteria) {
    const x = a.breakdown.find((line) => line.criterion === criterion);
    const y = b.breakdown.find((line) => line.criterion === criterion);
    if (x === undefined || y === undefined) return `unit ${code}: criterion ${criterion} only in the ${x === undefined ? 'second' : 'first'} evaluation`;
    for (const field of ['raw', 'normalised', 'points', 'note'] as const) {
      if (differs(x[field], y[field])) return `unit ${code}: criterion ${criterion}: ${field} ${pair(x[field], y[field])}`;
    }
  }
  if (a.score !== b.score) return `unit ${code}: score ${pair(a.score, b.score)}`;
  if (a.eligible !== b.eligible) return `unit ${code}: eligible ${pair(a.eligible, b.eligible)}`;
  if (differs(a.ineligibleReasons, b.ineligibleReasons)) return `unit ${code}: ineligibleReasons ${pair(a.ineligibleReasons, b.ineligibleReasons)}`;
  if (differs(a.unitName, b.unitName)) return `unit ${code}: unitName ${pair(a.unitName, b.unitName)}`;
  return undefined;
};

/**
 * The first difference between two evaluations of the same units, e.g.
 * `unit T-0042: criterion visits-per-member: points 3.5 ≠ 4`; undefined when identical. Differences a
 * unit's own figures explain (breakdown, score, eligibility) are reported before ranks and tiers, since
 * one changed score moves the ranks of its neighbours.
 */
export const firstDifference = (a: Evaluation, b: Evaluation): string | undefined => {
  if (a.criteriaCode !== b.criteriaCode || a.criteriaVersion !== b.criteriaVersion) {
    return `criteria ${a.criteriaCode} v${a.criteriaVersion} ≠ ${b.criteriaCode} v${b.criteriaVersion}`;
  }
  if (a.maxScore !== b.maxScore) return `maxScore ${pair(a.maxScore, b.maxScore)}`;
  const left = byCode(a.results);
  const right = byCode(b.results);
  const codes = sortedUnion(left.keys(), right.keys());
  for (const code of codes) {
    const x = left.get(code);
    const y = right.get(code);
    if (x === undefined || y === undefined) return `unit ${code} only in the ${x === undefined ? 'second' : 'first'} evaluation`;
    const own = ownDifference(code, x, y);
    if (own !== undefined) return own;
  }
  for (const code of codes) {
    const x = left.get(code) as UnitResult;
    const y = right.get(code) as UnitResult;
    if (x.rank !== y.rank) return `unit ${code}: rank ${pair(x.rank, y.rank)}`;
    if (x.tier !== y.tier) return `unit ${code}: tier ${pair(x.tier, y.tier)}`;
  }
  return undefined;
};

const recordDifference = (code: string, what: string, a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): string | undefined => {
  for (const key of sortedUnion(Object.keys(a), Object.keys(b))) {
    if (a[key] !== b[key]) return `unit ${code}: ${what} ${key} ${pair(a[key], b[key])}`;
  }
  return undefined;
};

/** The first difference between two input lists by unit code, naming the unit and the figure or target. */
export const firstInputDifference = (a: readonly EvaluationInput[], b: readonly EvaluationInput[]): string | undefined => {
  const left = byCode(a);
  const right = byCode(b);
  for (const code of sortedUnion(left.keys(), right.keys())) {
    const x = left.get(code);
    const y = right.get(code);
    if (x === undefined || y === undefined) return `unit ${code} only in the ${x === undefined ? 'second' : 'first'} inputs`;
    if (x.parentCode !== y.parentCode) return `unit ${code}: parentCode ${pair(x.parentCode, y.parentCode)}`;
    const difference = recordDifference(code, 'figure', x.figures, y.figures) ?? recordDifference(code, 'target', x.targets, y.targets);
    if (difference !== undefined) return difference;
    if (differs(x.unitName, y.unitName)) return `unit ${code}: unitName ${pair(x.unitName, y.unitName)}`;
  }
  return undefined;
};
