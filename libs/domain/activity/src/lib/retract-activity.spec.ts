// Specs use the shared test helpers; production domain code may not (eslint.config.mjs boundary rule).
import { deciderSpec } from '@cdt/testing';
import {
  activityDecider,
  eventIdOf,
  type ActivityRecorded,
  type ActivityRetracted,
  type RetractActivity,
} from './activity';
import { ACTIVITY_ID, CITIZEN, NOW, RETRACTION_ID, dissolved, facts, team, teamId, v1 } from './activity.fixtures';

const spec = deciderSpec(activityDecider);
const install: ActivityRecorded = {
  type: 'AppInstallAssistRecorded',
  schemaVersion: v1,
  data: { ...facts(), app: 'vneid', citizenRef: CITIZEN },
};
const retract = (overrides: Partial<RetractActivity> = {}): RetractActivity => ({
  type: 'RetractActivity',
  retractionId: RETRACTION_ID,
  activityId: ACTIVITY_ID,
  teamId,
  occurredAt: install.data.occurredAt,
  reason: ' duplicate entry from a second phone ',
  supervisor: true,
  retractedBy: 'officer-30001',
  now: NOW,
  ...overrides,
});
const retracted: ActivityRetracted = {
  type: 'ActivityRetracted',
  schemaVersion: v1,
  data: {
    ...facts(),
    retractionId: RETRACTION_ID,
    reason: 'duplicate entry from a second phone',
    retractedBy: 'officer-30001',
    retractedAt: NOW,
    retracted: install,
  },
};

describe('retracting an activity', () => {
  it('lets a supervisor retract with a reason, repeating the fact so projections can subtract it', () => {
    spec.given([...team, install]).when(retract()).then([retracted]);
  });

  it('still allows retraction after the team was dissolved', () => {
    spec.given([...team, install, dissolved('2026-04-01')]).when(retract()).then([retracted]);
  });

  it('refuses a caller who is not a supervisor', () => {
    spec.given([...team, install]).when(retract({ supervisor: false })).thenThrows('RETRACTION_NOT_ALLOWED', 'supervisor');
  });

  it('requires a non-empty reason', () => {
    spec.given([...team, install]).when(retract({ reason: '   ' })).thenThrows('REASON_REQUIRED', 'reason');
  });

  it('refuses an activity that is not in this team and month', () => {
    spec.given(team).when(retract()).thenThrows('ACTIVITY_NOT_FOUND', 'activityId');
    spec.given([...team, install]).when(retract({ teamId: 't-002' })).thenThrows('ACTIVITY_NOT_FOUND', 'activityId');
  });

  it('refuses a second retraction, but answers a retry of the same one with nothing new', () => {
    spec
      .given([...team, install, retracted])
      .when(retract({ retractionId: '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e' }))
      .thenThrows('ALREADY_RETRACTED', 'activityId');
    spec.given([...team, install, retracted]).when(retract()).then([]);
  });

  it('keeps a retracted fact retracted: recording it again is a retry, not a new count', () => {
    spec
      .given([...team, install, retracted])
      .when({ type: 'RecordAppInstallAssist', activityId: ACTIVITY_ID, teamId, memberIds: ['m1'], occurredAt: install.data.occurredAt, now: NOW, app: 'vneid', citizenRef: CITIZEN })
      .then([]);
  });

  it('gives the write side one event id per fact: the activity id, or the retraction id', () => {
    expect(eventIdOf(install)).toBe(ACTIVITY_ID);
    expect(eventIdOf(retracted)).toBe(RETRACTION_ID);
  });

  it('records the retraction in the state', () => {
    const state = spec.given([...team, install, retracted]).state();
    expect(state.activities[ACTIVITY_ID]).toEqual({ recorded: install, retractionId: RETRACTION_ID });
  });
});
