import {
  DomainError,
  SCHEMA_VERSION_1,
  requireBoolean,
  requireId,
  requireReason,
  requireTimestamp,
  requireUuid,
  type DomainEvent,
} from '@cdt/domain-shared';
import {
  evolveTeam,
  initialTeamState,
  isActiveOn,
  isMemberOn,
  isTeamEvent,
  unitOn,
  type TeamEvent,
  type TeamState,
} from '@cdt/domain-registry';
import {
  appInstallDetails,
  canonicalJson,
  canonicalMemberIds,
  digitalServiceDetails,
  householdVisitDetails,
  trainingDetails,
  type AppInstallDetails,
  type DigitalServiceDetails,
  type HouseholdVisitDetails,
  type TrainingDetails,
} from './activity-payloads';

/**
 * Activities (stream `activity-<teamId>-<yyyy-mm>`): the immutable facts of field work. The decider
 * sees the team (to check membership, activity and unit on the day) and the month's activities (to
 * make a retried command a no-op and to retract). A fact is never edited: a supervisor retracts it.
 */

// ── events ────────────────────────────────────────────────────────────────────────────────────────
/** Carried by every activity event, so a projection needs no lookup to attribute it. */
export interface ActivityFacts {
  /** Client-generated uuid; the write side also uses it as the event id of the recorded fact. */
  activityId: string;
  teamId: string;
  /** Who did it, sorted. */
  memberIds: string[];
  /** ISO-8601 with offset, as the device recorded it. */
  occurredAt: string;
  /** The team's unit on the day it happened (not today's unit). */
  communeCode: string;
  village: string;
}

export type HouseholdVisitRecorded = DomainEvent<'HouseholdVisitRecorded', ActivityFacts & HouseholdVisitDetails>;
export type TrainingEnrollmentRecorded = DomainEvent<'TrainingEnrollmentRecorded', ActivityFacts & TrainingDetails>;
export type TrainingCompletionRecorded = DomainEvent<'TrainingCompletionRecorded', ActivityFacts & TrainingDetails>;
export type AppInstallAssistRecorded = DomainEvent<'AppInstallAssistRecorded', ActivityFacts & AppInstallDetails>;
export type DigitalServiceAssistRecorded = DomainEvent<
  'DigitalServiceAssistRecorded',
  ActivityFacts & DigitalServiceDetails
>;

export type ActivityRecorded =
  | HouseholdVisitRecorded
  | TrainingEnrollmentRecorded
  | TrainingCompletionRecorded
  | AppInstallAssistRecorded
  | DigitalServiceAssistRecorded;

/** Repeats the retracted fact whole, so a projection can subtract exactly what it once added. */
export type ActivityRetracted = DomainEvent<
  'ActivityRetracted',
  ActivityFacts & {
    /** Client-generated uuid; the event id of the retraction. */
    retractionId: string;
    reason: string;
    retractedBy: string;
    retractedAt: string;
    retracted: ActivityRecorded;
  }
>;

export type ActivityEvent = ActivityRecorded | ActivityRetracted;

/** The id the write side appends an activity event under (idempotent on retry). */
export const eventIdOf = (event: ActivityEvent): string =>
  event.type === 'ActivityRetracted' ? event.data.retractionId : event.data.activityId;

// ── state ─────────────────────────────────────────────────────────────────────────────────────────
export interface RecordedActivity {
  readonly recorded: ActivityRecorded;
  readonly retractionId?: string;
}

export interface ActivityState {
  /** Folded from the team stream. */
  readonly team: TeamState;
  /** Folded from the activity stream, by activityId. */
  readonly activities: Readonly<Record<string, RecordedActivity>>;
}

export const initialActivityState: ActivityState = { team: initialTeamState, activities: {} };

// ── evolve ────────────────────────────────────────────────────────────────────────────────────────
/** Folds both streams the decision needs: the team's registry facts and the month's activities. */
export const evolveActivity = (state: ActivityState, event: TeamEvent | ActivityEvent): ActivityState => {
  if (isTeamEvent(event)) return { ...state, team: evolveTeam(state.team, event) };
  switch (event.type) {
    case 'HouseholdVisitRecorded':
    case 'TrainingEnrollmentRecorded':
    case 'TrainingCompletionRecorded':
    case 'AppInstallAssistRecorded':
    case 'DigitalServiceAssistRecorded':
      return { ...state, activities: { ...state.activities, [event.data.activityId]: { recorded: event } } };
    case 'ActivityRetracted': {
      const { activityId, retractionId } = event.data;
      const existing = state.activities[activityId] ?? { recorded: event.data.retracted };
      return { ...state, activities: { ...state.activities, [activityId]: { ...existing, retractionId } } };
    }
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
};

// ── commands ──────────────────────────────────────────────────────────────────────────────────────
export interface RecordActivityBase {
  activityId: string;
  teamId: string;
  memberIds: string[];
  occurredAt: string;
  /** The server's clock when the command was accepted (ISO-8601); the domain has none of its own. */
  now: string;
}
export interface RecordHouseholdVisit extends RecordActivityBase, HouseholdVisitDetails {
  type: 'RecordHouseholdVisit';
}
export interface RecordTrainingEnrollment extends RecordActivityBase, TrainingDetails {
  type: 'RecordTrainingEnrollment';
}
/** Needs no earlier enrollment: people finish MOOCs the team never saw them start. */
export interface RecordTrainingCompletion extends RecordActivityBase, TrainingDetails {
  type: 'RecordTrainingCompletion';
}
export interface RecordAppInstallAssist extends RecordActivityBase, AppInstallDetails {
  type: 'RecordAppInstallAssist';
}
export interface RecordDigitalServiceAssist extends RecordActivityBase, DigitalServiceDetails {
  type: 'RecordDigitalServiceAssist';
}
export interface RetractActivity {
  type: 'RetractActivity';
  retractionId: string;
  activityId: string;
  teamId: string;
  /** The retracted activity's occurredAt: it locates the month stream the activity is in. */
  occurredAt: string;
  reason: string;
  /** Set by the HTTP layer from the caller's role; only a supervisor may retract. */
  supervisor: boolean;
  retractedBy: string;
  now: string;
}

export type RecordActivity =
  | RecordHouseholdVisit
  | RecordTrainingEnrollment
  | RecordTrainingCompletion
  | RecordAppInstallAssist
  | RecordDigitalServiceAssist;
export type ActivityCommand = RecordActivity | RetractActivity;

// ── decide ────────────────────────────────────────────────────────────────────────────────────────
/** Device clocks drift; more than this ahead of the server's clock is a wrong date, not drift. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

type Details = HouseholdVisitDetails | TrainingDetails | AppInstallDetails | DigitalServiceDetails;

const detailsOf = (command: RecordActivity): { type: ActivityRecorded['type']; details: Details } => {
  switch (command.type) {
    case 'RecordHouseholdVisit':
      return { type: 'HouseholdVisitRecorded', details: householdVisitDetails(command) };
    case 'RecordTrainingEnrollment':
      return { type: 'TrainingEnrollmentRecorded', details: trainingDetails(command) };
    case 'RecordTrainingCompletion':
      return { type: 'TrainingCompletionRecorded', details: trainingDetails(command) };
    case 'RecordAppInstallAssist':
      return { type: 'AppInstallAssistRecorded', details: appInstallDetails(command) };
    case 'RecordDigitalServiceAssist':
      return { type: 'DigitalServiceAssistRecorded', details: digitalServiceDetails(command) };
    default: {
      const _exhaustive: never = command;
      throw new DomainError('INVALID_VALUE', `unknown command ${JSON.stringify(_exhaustive)}`, 'type');
    }
  }
};

/** What the client said, without what the decider derived (the unit may be re-dated by a relocation). */
const asSent = ({ communeCode: _c, village: _v, ...sent }: ActivityFacts & Details): string => canonicalJson(sent);

const decideRecord = (command: RecordActivity, state: ActivityState): ActivityRecorded[] => {
  const activityId = requireUuid(command.activityId, 'activityId');
  const teamId = requireId(command.teamId, 'teamId');
  const occurredAtMs = requireTimestamp(command.occurredAt, 'occurredAt');
  const nowMs = requireTimestamp(command.now, 'now');
  const memberIds = canonicalMemberIds(command.memberIds);
  const { type, details } = detailsOf(command);
  if (occurredAtMs > nowMs + MAX_CLOCK_SKEW_MS) {
    throw new DomainError('OCCURRED_IN_FUTURE', 'occurredAt is more than 5 minutes in the future', 'occurredAt');
  }
  const occurredAt = command.occurredAt;
  const sent = { activityId, teamId, memberIds, occurredAt, ...details };

  // A retried command (same id, same content) is answered with nothing new; a different fact under an
  // id already used is a client bug that must not overwrite or double-count anything.
  const existing = state.activities[activityId];
  if (existing) {
    const { recorded } = existing;
    if (recorded.type === type && asSent(recorded.data) === canonicalJson(sent)) return [];
    throw new DomainError('ACTIVITY_ID_CONFLICT', `activity ${activityId} was recorded with other content`, 'activityId');
  }

  const { team } = state;
  if (team.status === 'none' || team.teamId !== teamId) {
    throw new DomainError('TEAM_NOT_FOUND', `no team ${teamId}`, 'teamId');
  }
  if (!isActiveOn(team, occurredAt)) {
    throw new DomainError('TEAM_NOT_ACTIVE', `team ${teamId} was not active on the day of occurredAt`, 'occurredAt');
  }
  const outsider = memberIds.find((memberId) => !isMemberOn(team, memberId, occurredAt));
  if (outsider !== undefined) {
    throw new DomainError('MEMBER_NOT_IN_TEAM', `member ${outsider} was not in team ${teamId} on that day`, 'memberIds');
  }
  const unit = unitOn(team, occurredAt);
  if (!unit) throw new DomainError('TEAM_NOT_ACTIVE', `team ${teamId} had no unit on that day`, 'occurredAt');

  const data = { ...sent, communeCode: unit.communeCode, village: unit.village };
  return [{ type, schemaVersion: SCHEMA_VERSION_1, data } as ActivityRecorded];
};

const decideRetract = (command: RetractActivity, state: ActivityState): ActivityRetracted[] => {
  if (requireBoolean(command.supervisor, 'supervisor') !== true) {
    throw new DomainError('RETRACTION_NOT_ALLOWED', 'only a supervisor may retract an activity', 'supervisor');
  }
  const reason = requireReason(command.reason);
  const retractionId = requireUuid(command.retractionId, 'retractionId');
  const activityId = requireUuid(command.activityId, 'activityId');
  const retractedBy = requireId(command.retractedBy, 'retractedBy');
  requireTimestamp(command.now, 'now');

  const existing = state.activities[activityId];
  if (!existing || existing.recorded.data.teamId !== command.teamId) {
    throw new DomainError('ACTIVITY_NOT_FOUND', `no activity ${activityId} in that team and month`, 'activityId');
  }
  if (existing.retractionId === retractionId) return [];
  if (existing.retractionId !== undefined) {
    throw new DomainError('ALREADY_RETRACTED', `activity ${activityId} is already retracted`, 'activityId');
  }
  const { recorded } = existing;
  const { teamId, memberIds, occurredAt, communeCode, village } = recorded.data;
  return [
    {
      type: 'ActivityRetracted',
      schemaVersion: SCHEMA_VERSION_1,
      data: {
        activityId,
        teamId,
        memberIds,
        occurredAt,
        communeCode,
        village,
        retractionId,
        reason,
        retractedBy,
        retractedAt: command.now,
        retracted: recorded,
      },
    },
  ];
};

export const decideActivity = (command: ActivityCommand, state: ActivityState): ActivityEvent[] =>
  command.type === 'RetractActivity' ? decideRetract(command, state) : decideRecord(command, state);

export const activityDecider = {
  decide: decideActivity,
  evolve: evolveActivity,
  initialState: initialActivityState,
};
