// Specs use the shared test helpers; production domain code may not (eslint.config.mjs boundary rule).
import { deciderSpec } from '@cdt/testing';
import { activityDecider, type ActivityCommand, type RecordHouseholdVisit } from './activity';
import {
  ACTIVITY_ID,
  CITIZEN,
  HOUSEHOLD,
  base,
  dissolved,
  established,
  facts,
  joined,
  left,
  relocated,
  team,
  teamId,
  v1,
} from './activity.fixtures';

const spec = deciderSpec(activityDecider);
const visit = (overrides: Partial<RecordHouseholdVisit> = {}): RecordHouseholdVisit => ({
  type: 'RecordHouseholdVisit',
  ...base(),
  householdRef: HOUSEHOLD,
  skills: ['online-payment', 'public-services'],
  ...overrides,
});
const visitRecorded = (overrides = {}) => ({
  type: 'HouseholdVisitRecorded' as const,
  schemaVersion: v1,
  data: { ...facts(overrides), householdRef: HOUSEHOLD, skills: ['public-services' as const, 'online-payment' as const] },
});

describe('recording each kind of activity', () => {
  it('records a household visit with the skills taught, attributed to the team unit of the day', () => {
    spec.given(team).when(visit()).then([visitRecorded()]);
  });

  it('records a training enrollment and a completion, the completion needing no enrollment', () => {
    const training = { traineeRef: CITIZEN, traineeKind: 'official' as const, courseCode: 'MOOC-CDS-01' };
    spec
      .given(team)
      .when({ type: 'RecordTrainingEnrollment', ...base(), ...training })
      .then([{ type: 'TrainingEnrollmentRecorded', schemaVersion: v1, data: { ...facts(), ...training } }]);
    spec
      .given(team)
      .when({ type: 'RecordTrainingCompletion', ...base(), ...training })
      .then([{ type: 'TrainingCompletionRecorded', schemaVersion: v1, data: { ...facts(), ...training } }]);
  });

  it('records an app-install assist and a digital-service assist', () => {
    spec
      .given(team)
      .when({ type: 'RecordAppInstallAssist', ...base(), app: 'vneid', citizenRef: CITIZEN })
      .then([{ type: 'AppInstallAssistRecorded', schemaVersion: v1, data: { ...facts(), app: 'vneid', citizenRef: CITIZEN } }]);
    spec
      .given(team)
      .when({ type: 'RecordDigitalServiceAssist', ...base(), service: 'merchant-e-payment', subjectRef: CITIZEN })
      .then([
        {
          type: 'DigitalServiceAssistRecorded',
          schemaVersion: v1,
          data: { ...facts(), service: 'merchant-e-payment', subjectRef: CITIZEN },
        },
      ]);
  });

  it('refuses values outside the vocabularies', () => {
    spec.given(team).when({ type: 'RecordAppInstallAssist', ...base(), app: 'zalo' as 'other', citizenRef: CITIZEN }).thenThrows('INVALID_VALUE', 'app');
    spec.given(team).when({ type: 'RecordDigitalServiceAssist', ...base(), service: 'x' as 'dvctt-account', subjectRef: CITIZEN }).thenThrows('INVALID_VALUE', 'service');
    spec
      .given(team)
      .when({ type: 'RecordTrainingCompletion', ...base(), traineeRef: CITIZEN, traineeKind: 'child' as 'citizen', courseCode: 'C1' })
      .thenThrows('INVALID_VALUE', 'traineeKind');
    spec.given(team).when(visit({ skills: ['knitting' as 'online-safety'] })).thenThrows('INVALID_VALUE', 'skills');
    spec.given(team).when(visit({ skills: ['online-safety', 'online-safety'] })).thenThrows('INVALID_VALUE', 'skills');
  });
});

describe('who did it', () => {
  it('accepts several members, stored in one order whatever order they were sent in', () => {
    spec.given(team).when(visit({ memberIds: ['m2', 'm1'] })).then([visitRecorded({ memberIds: ['m1', 'm2'] })]);
  });

  it('requires at least one member, each once', () => {
    spec.given(team).when(visit({ memberIds: [] })).thenThrows('MEMBERS_REQUIRED', 'memberIds');
    spec.given(team).when(visit({ memberIds: ['m1', 'm1'] })).thenThrows('INVALID_VALUE', 'memberIds');
  });

  it('refuses someone who was never in the team', () => {
    spec.given(team).when(visit({ memberIds: ['m1', 'm9'] })).thenThrows('MEMBER_NOT_IN_TEAM', 'memberIds');
  });

  it('judges membership on the day it happened, not today', () => {
    const history = [...team, joined('m3', '2026-03-05'), left('m2', '2026-02-28')];
    // m3 joined after the visit; m2 had left before it.
    spec.given(history).when(visit({ memberIds: ['m3'] })).thenThrows('MEMBER_NOT_IN_TEAM', 'memberIds');
    spec.given(history).when(visit({ memberIds: ['m2'] })).thenThrows('MEMBER_NOT_IN_TEAM', 'memberIds');
    // A visit synced late from before m2 left still counts for m2.
    const earlier = '2026-02-28T15:00:00+07:00';
    spec.given(history).when(visit({ memberIds: ['m2'], occurredAt: earlier })).then([visitRecorded({ memberIds: ['m2'], occurredAt: earlier })]);
  });
});

describe('the team on that day', () => {
  it('refuses an activity for a team that does not exist', () => {
    spec.given([]).when(visit()).thenThrows('TEAM_NOT_FOUND', 'teamId');
  });

  it('refuses an activity before the team was established or from the day it was dissolved', () => {
    spec.given(team).when(visit({ occurredAt: '2024-01-09T09:00:00+07:00' })).thenThrows('TEAM_NOT_ACTIVE', 'occurredAt');
    spec.given([...team, dissolved('2026-03-02')]).when(visit()).thenThrows('TEAM_NOT_ACTIVE', 'occurredAt');
  });

  it('accepts a late-synced activity from before the team was dissolved', () => {
    spec.given([...team, dissolved('2026-03-03')]).when(visit()).then([visitRecorded()]);
  });

  it('attributes the activity to the unit the team had on that day', () => {
    const history = [...team, relocated('2025-07-01')];
    spec.given(history).when(visit()).then([visitRecorded({ communeCode: '30010' })]);
    const before = '2025-06-30T16:00:00+07:00';
    spec.given(history).when(visit({ occurredAt: before })).then([visitRecorded({ occurredAt: before })]);
  });
});

describe('when it happened', () => {
  it('accepts up to 5 minutes ahead of the server clock (device drift)', () => {
    const occurredAt = '2026-03-02T10:05:00+07:00';
    spec.given(team).when(visit({ occurredAt })).then([visitRecorded({ occurredAt })]);
  });

  it('refuses more than 5 minutes ahead, comparing instants across offsets', () => {
    spec.given(team).when(visit({ occurredAt: '2026-03-02T10:05:01+07:00' })).thenThrows('OCCURRED_IN_FUTURE', 'occurredAt');
    spec.given(team).when(visit({ occurredAt: '2026-03-02T03:06:00Z' })).thenThrows('OCCURRED_IN_FUTURE', 'occurredAt');
  });

  it('refuses a timestamp without an offset', () => {
    spec.given(team).when(visit({ occurredAt: '2026-03-02T09:00:00' })).thenThrows('INVALID_TIMESTAMP', 'occurredAt');
  });
});

describe('personal data stays out of the log', () => {
  it.each([
    ['householdRef', visit({ householdRef: '001203004567' }), 'RAW_CITIZEN_ID_IN_REF'],
    ['householdRef', visit({ householdRef: '+84912345678' }), 'RAW_PHONE_IN_REF'],
    ['citizenRef', { type: 'RecordAppInstallAssist', ...base(), app: 'vneid', citizenRef: '0912345678' }, 'RAW_PHONE_IN_REF'],
    ['subjectRef', { type: 'RecordDigitalServiceAssist', ...base(), service: 'dvctt-account', subjectRef: '079203001234' }, 'RAW_CITIZEN_ID_IN_REF'],
    ['traineeRef', { type: 'RecordTrainingEnrollment', ...base(), traineeRef: '84912345678', traineeKind: 'citizen', courseCode: 'C1' }, 'RAW_PHONE_IN_REF'],
    ['traineeRef', { type: 'RecordTrainingCompletion', ...base(), traineeRef: 'Nguyễn Văn A', traineeKind: 'citizen', courseCode: 'C1' }, 'INVALID_REF'],
  ] as const)('rejects a raw identifier in %s', (field, command, code) => {
    spec.given(team).when(command as ActivityCommand).thenThrows(code, field);
  });
});

describe('retries and id clashes', () => {
  it('records nothing when the same activity is sent again, even with members and skills reordered', () => {
    spec
      .given([...team, visitRecorded({ memberIds: ['m1', 'm2'] })])
      .when(visit({ memberIds: ['m2', 'm1'], skills: ['public-services', 'online-payment'] }))
      .then([]);
  });

  it('still answers a retry after the team was relocated with an earlier date', () => {
    spec.given([...team, visitRecorded(), relocated('2026-03-01')]).when(visit()).then([]);
  });

  it('refuses a different fact under an activity id already used', () => {
    spec.given([...team, visitRecorded()]).when(visit({ skills: ['online-safety'] })).thenThrows('ACTIVITY_ID_CONFLICT', 'activityId');
    spec
      .given([...team, visitRecorded()])
      .when({ type: 'RecordAppInstallAssist', ...base(), app: 'vneid', citizenRef: CITIZEN })
      .thenThrows('ACTIVITY_ID_CONFLICT', 'activityId');
  });

  it('requires a uuid activity id (it becomes the event id)', () => {
    spec.given(team).when(visit({ activityId: 'visit-1' })).thenThrows('INVALID_ID', 'activityId');
    expect(ACTIVITY_ID).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps the recorded activities in the state it decides on', () => {
    spec.given([established, visitRecorded()]).thenModel({
      team: { status: 'active', teamId, establishedOn: '2024-01-10', units: [{ communeCode: '30001', village: 'Ấp Long Hòa', from: '2024-01-10' }], members: {} },
      activities: { [ACTIVITY_ID]: { recorded: visitRecorded() } },
    });
  });
});
