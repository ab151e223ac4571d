import { Inject, Injectable } from '@nestjs/common';
import { criteriaChecksum, requiredIndicators, requiredTargets, validateCriteriaSet, type CriteriaSet } from '@cdt/domain-scoring';
import { criteriaStream, isId, parsePeriod } from '@cdt/domain-shared';
import { EVENT_STORE, WrongExpectedVersionError, type Checkpoint, type EventMetadata, type EventStore } from '@cdt/event-store';
import { ProblemError } from '@cdt/platform';
import { sha256 } from '../inputs/gather-inputs';
import { derivedEventId, scoringEvent, type CriteriaSetPublished } from '../ledger/scoring-events';
import { ScoringCatalog } from '../ledger/scoring-catalog';
import { readCriteriaVersions, type PublishedCriteria } from '../ledger/scoring-ledger';

export interface CriteriaCheck {
  readonly valid: true;
  readonly code: string;
  readonly version: number;
  readonly checksum: string;
  readonly requiredIndicators: string[];
  readonly requiredTargets: string[];
}

export interface PublishResult extends CriteriaCheck {
  readonly status: 'created' | 'duplicate';
  readonly effectiveFrom: string;
  readonly position: Checkpoint | null;
}

/** A set the domain refuses: one entry per problem, its JSON path as the field, the criterion named. */
export function invalidCriteriaSet(problems: readonly { path: string; criterion?: string; message: string }[]): ProblemError {
  return new ProblemError({
    status: 422,
    code: 'CRITERIA_SET_INVALID',
    title: 'Invalid criteria set',
    detail: problems.map((p) => (p.criterion ? `${p.criterion}: ${p.message}` : p.message)).join('; '),
    errors: problems.map((p) => ({ field: p.path, code: 'CRITERIA_SET_INVALID', message: p.criterion ? `${p.criterion}: ${p.message}` : p.message })),
  });
}

export const criteriaNotFound = (field: string, detail: string): ProblemError => new ProblemError({ status: 404, code: 'CRITERIA_SET_NOT_FOUND', detail, field });

/**
 * Criteria sets as data in the log: validate (the domain is the authority on the format), checksum
 * (RFC 8785 canonical JSON, sha-256), append `CriteriaSetPublished` at stream version = set version - 1.
 * The same version again with the same checksum is a no-op; with another checksum it is a 409.
 */
@Injectable()
export class CriteriaSets {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly catalog: ScoringCatalog,
  ) {}

  check(raw: unknown): { set: CriteriaSet; summary: CriteriaCheck } {
    const validation = validateCriteriaSet(raw);
    if (!validation.ok) throw invalidCriteriaSet(validation.problems);
    const set = validation.set;
    return {
      set,
      summary: { valid: true, code: set.code, version: set.version, checksum: criteriaChecksum(set, sha256), requiredIndicators: requiredIndicators(set), requiredTargets: requiredTargets(set) },
    };
  }

  async publish(raw: unknown, metadata: EventMetadata): Promise<PublishResult> {
    const { set, summary } = this.check(raw);
    if (!isId(set.code)) throw invalidCriteriaSet([{ path: 'code', message: 'code must be letters, digits and _ . : - (it names the criteria stream)' }]);
    for (let attempt = 1; ; attempt++) {
      const versions = await readCriteriaVersions(this.store, set.code);
      const same = versions.find((published) => published.data.version === set.version);
      if (same) {
        if (same.data.checksum !== summary.checksum) {
          throw new ProblemError({
            status: 409,
            code: 'CRITERIA_VERSION_CONFLICT',
            detail: `${set.code} version ${set.version} is published with checksum ${same.data.checksum}; a published set never changes: publish version ${versions.length + 1}`,
            field: 'version',
          });
        }
        return { ...summary, status: 'duplicate', effectiveFrom: same.data.effectiveFrom, position: same.position };
      }
      if (set.version !== versions.length + 1) {
        throw new ProblemError({ status: 422, code: 'CRITERIA_VERSION_GAP', detail: `the next version of ${set.code} is ${versions.length + 1}, not ${set.version}`, field: 'version' });
      }
      const previous = versions.at(-1);
      if (previous && set.effectiveFrom < previous.data.effectiveFrom) {
        throw new ProblemError({
          status: 422,
          code: 'EFFECTIVE_DATE_BEFORE_PREVIOUS',
          detail: `version ${set.version} must take effect on or after version ${previous.data.version} (${previous.data.effectiveFrom})`,
          field: 'effectiveFrom',
        });
      }
      const event = scoringEvent<CriteriaSetPublished>('CriteriaSetPublished', { code: set.code, version: set.version, effectiveFrom: set.effectiveFrom, checksum: summary.checksum, set });
      try {
        const result = await this.store.append(
          criteriaStream(set.code),
          [{ eventId: derivedEventId('criteria', set.code, String(set.version), summary.checksum), ...event, metadata }],
          versions.length,
        );
        await this.catalog.reach(result.events.at(-1)?.position);
        return { ...summary, status: result.duplicate ? 'duplicate' : 'created', effectiveFrom: set.effectiveFrom, position: result.events.at(-1)?.position ?? null };
      } catch (error) {
        // Another publication of this code got in first: decide again on what it wrote.
        if (!(error instanceof WrongExpectedVersionError) || attempt >= 3) throw error;
      }
    }
  }

  async versions(code: string): Promise<PublishedCriteria[]> {
    return readCriteriaVersions(this.store, code);
  }

  /** The version named, or the newest one in effect on the period's last day. */
  async resolve(code: string, version: number | undefined, period: string): Promise<PublishedCriteria> {
    const versions = await readCriteriaVersions(this.store, code);
    if (versions.length === 0) throw criteriaNotFound('criteriaCode', `no criteria set ${code} is published`);
    if (version !== undefined) {
      const named = versions.find((v) => v.data.version === version);
      if (!named) throw criteriaNotFound('criteriaVersion', `${code} has versions 1 to ${versions.length}, not ${version}`);
      return named;
    }
    const lastDay = parsePeriod(period)?.last ?? period;
    const inEffect = versions.filter((v) => v.data.effectiveFrom <= lastDay).at(-1);
    if (!inEffect) throw criteriaNotFound('criteriaVersion', `no version of ${code} is in effect by ${lastDay} (version 1 takes effect on ${versions[0].data.effectiveFrom})`);
    return inEffect;
  }
}
