import { deciderSpec } from '@cdt/testing';
import { activityDecider, type RecordHouseholdVisit } from './activity';
import type { SealedFollowUpContact } from './activity-payloads';
import { HOUSEHOLD, base, facts, team, v1 } from './activity.fixtures';

const spec = deciderSpec(activityDecider);
const sealed = (overrides: Partial<Record<keyof SealedFollowUpContact, unknown>> = {}) => ({
  consent: true,
  scheme: 'cdt-seal/v1',
  subjectRef: HOUSEHOLD,
  keyId: '0b7d2c4e-1f3a-4b5c-8d9e-0a1b2c3d4e5f',
  nonce: 'AAECAwQFBgcICQoL',
  ciphertext: 'c2VhbGVkLXBob25l',
  tag: 'AAECAwQFBgcICQoLDA0ODw',
  ...overrides,
}) as SealedFollowUpContact;
const visit = (followUpContact?: SealedFollowUpContact): RecordHouseholdVisit => ({
  type: 'RecordHouseholdVisit',
  ...base(),
  householdRef: HOUSEHOLD,
  skills: ['online-payment'],
  ...(followUpContact ? { followUpContact } : {}),
});
const recorded = (followUpContact?: SealedFollowUpContact) => ({
  type: 'HouseholdVisitRecorded' as const,
  schemaVersion: v1,
  data: { ...facts(), householdRef: HOUSEHOLD, skills: ['online-payment' as const], ...(followUpContact ? { followUpContact } : {}) },
});

describe('a household visit with a sealed follow-up contact', () => {
  it('records the sealed envelope as given, and no contact key at all when none was given', () => {
    spec.given(team).when(visit(sealed())).then([recorded(sealed())]);
    const [event] = activityDecider.decide(visit(), team.reduce(activityDecider.evolve, activityDecider.initialState));
    expect(Object.keys(event.data)).not.toContain('followUpContact');
  });

  it('answers a retry with the same box with nothing, and a different box under the same id as a conflict', () => {
    spec.given([...team, recorded(sealed())]).when(visit(sealed())).then([]);
    spec.given([...team, recorded(sealed())]).when(visit(sealed({ ciphertext: 'b3RoZXItcGhvbmU' }))).thenThrows('ACTIVITY_ID_CONFLICT', 'activityId');
    spec.given([...team, recorded()]).when(visit(sealed())).thenThrows('ACTIVITY_ID_CONFLICT', 'activityId');
  });

  it('keeps nothing without the consent, and refuses a box sealed for another subject or malformed', () => {
    spec.given(team).when(visit(sealed({ consent: false }))).thenThrows('INVALID_VALUE', 'followUpContact.consent');
    spec.given(team).when(visit(sealed({ subjectRef: 'b2'.repeat(32) }))).thenThrows('INVALID_VALUE', 'followUpContact.subjectRef');
    spec.given(team).when(visit(sealed({ scheme: 'rot13' }))).thenThrows('INVALID_VALUE', 'followUpContact.scheme');
    spec.given(team).when(visit(sealed({ keyId: 'k1' }))).thenThrows('INVALID_ID', 'followUpContact.keyId');
    spec.given(team).when(visit(sealed({ ciphertext: '0912 345 678' }))).thenThrows('INVALID_VALUE', 'followUpContact.ciphertext');
    spec.given(team).when(visit(sealed({ tag: 'x'.repeat(40) }))).thenThrows('INVALID_VALUE', 'followUpContact.tag');
    spec.given(team).when(visit('0912345678' as unknown as SealedFollowUpContact)).thenThrows('INVALID_VALUE', 'followUpContact');
  });
});
