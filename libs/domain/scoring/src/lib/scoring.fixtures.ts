import type { CriteriaSet, Criterion, EvaluationInput, HashFactory } from './criteria-set';

/** Small sets and inputs the scoring specs share. */

export const criterion = (overrides: Partial<Criterion> & Pick<Criterion, 'code'>): Criterion => ({
  title: `criterion ${overrides.code}`,
  maxPoints: 10,
  measure: { indicator: 'household-visits' },
  rule: { kind: 'proportional', cap: 100 },
  ...overrides,
});

export const criteriaSet = (overrides: Partial<CriteriaSet> = {}): CriteriaSet => ({
  code: 'spec-set',
  version: 1,
  title: 'A set for specs',
  effectiveFrom: '2025-07-01',
  level: 'team',
  within: 'province',
  periodKind: 'quarter',
  criteria: [criterion({ code: 'visits' })],
  eligibility: [],
  tieBreakers: [],
  awardTiers: [],
  ...overrides,
});

export const unit = (
  unitCode: string,
  figures: Record<string, number>,
  options: { parentCode?: string; targets?: Record<string, number>; unitName?: string } = {},
): EvaluationInput => ({
  unitCode,
  parentCode: options.parentCode ?? 'P01',
  figures,
  targets: options.targets ?? {},
  ...(options.unitName === undefined ? {} : { unitName: options.unitName }),
});

/** Bytes as lower-case hex, two digits each. */
export const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * A "hash" that returns the text it was fed (bytes as hex): the domain specs cannot import node:crypto
 * (the domain is pure), and comparing the hashed text is stricter than comparing a digest of it. The
 * scoring feature's specs check the real sha-256.
 */
export const textHash: HashFactory = () => {
  let text = '';
  return {
    update(chunk: string | Uint8Array) {
      text += typeof chunk === 'string' ? chunk : hex(chunk);
    },
    digest: () => text,
  };
};
