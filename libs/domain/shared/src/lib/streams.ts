import { DomainError } from './domain-error';
import { requireId as id } from './ids';
import { isTimestamp } from './time';

/** Stream names, built only here so every service agrees on them (ARCHITECTURE.md, event store). */
export const LEDGER_STREAM = 'ledger';

/** Registry facts of one team: establishment, membership, relocation, dissolution. */
export const teamStream = (teamId: string): string => `team-${id(teamId, 'teamId')}`;

/**
 * A team's activities for one calendar month, bounded so a stream never grows without limit. The month
 * is read from occurredAt as written, in its own offset (devices in Vietnam send +07:00).
 */
export const activityStream = (teamId: string, occurredAt: string): string => {
  if (!isTimestamp(occurredAt)) {
    throw new DomainError('INVALID_TIMESTAMP', 'occurredAt must be an ISO-8601 timestamp with an offset', 'occurredAt');
  }
  return `activity-${id(teamId, 'teamId')}-${occurredAt.slice(0, 7)}`;
};

/** Targets (and other facts) of one administrative unit, by its official code. */
export const unitStream = (unitCode: string): string => `unit-${id(unitCode, 'unitCode')}`;

export const criteriaStream = (criteriaSetId: string): string => `criteria-${id(criteriaSetId, 'criteriaSetId')}`;

export const evaluationStream = (runId: string): string => `evaluation-${id(runId, 'runId')}`;

/**
 * Which run is the published ranking of one criteria code, level, area and period: approvals append to
 * it at an expected version, so two drafts approved at once cannot both be published.
 */
export const rankingStream = (ranking: { criteriaCode: string; level: string; areaLevel: string; areaCode: string; period: string }): string =>
  `ranking-${[
    id(ranking.criteriaCode, 'criteriaCode'),
    id(ranking.level, 'level'),
    id(ranking.areaLevel, 'area.level'),
    id(ranking.areaCode, 'area.code'),
    id(ranking.period, 'period'),
  ].join('.')}`;
