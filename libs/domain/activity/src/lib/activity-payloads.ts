import { DomainError, requireId, requireOneOf, requireRef, requireUuid } from '@cdt/domain-shared';
import {
  ASSISTED_APPS,
  DIGITAL_SERVICES,
  DIGITAL_SKILLS,
  TRAINEE_KINDS,
  type AssistedApp,
  type DigitalService,
  type DigitalSkill,
  type TraineeKind,
} from './vocabulary';

/**
 * The kind-specific part of each activity, validated and put in canonical form (skills in vocabulary
 * order, member ids sorted) so a retried command compares equal to what was recorded.
 */

export interface HouseholdVisitDetails {
  householdRef: string;
  skills: DigitalSkill[];
  /** Absent on most visits (and on every visit recorded before it existed). */
  followUpContact?: SealedFollowUpContact;
}

/**
 * A way to reach the household again, given with the citizen's consent. The log never holds it in
 * clear: the write side seals it under the household's own key, kept outside the log, and erasing the
 * household destroys that key (docs/adr/0006-crypto-shredding.md). The domain checks the envelope only.
 */
export interface SealedFollowUpContact {
  /** The citizen agreed to be contacted again; without it nothing is kept. */
  consent: true;
  scheme: 'cdt-seal/v1';
  /** Whose key sealed it: the activity's own subject (the householdRef). */
  subjectRef: string;
  keyId: string;
  nonce: string;
  ciphertext: string;
  tag: string;
}
export interface TrainingDetails {
  traineeRef: string;
  traineeKind: TraineeKind;
  courseCode: string;
}
export interface AppInstallDetails {
  app: AssistedApp;
  citizenRef: string;
}
export interface DigitalServiceDetails {
  service: DigitalService;
  subjectRef: string;
}

const COURSE_CODE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const SEALED_LIMITS = { nonce: 16, ciphertext: 1024, tag: 22 } as const;

const sealedFollowUpContact = (value: unknown, subjectRef: string): SealedFollowUpContact => {
  const field = 'followUpContact';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DomainError('INVALID_VALUE', `${field} must be a sealed contact`, field);
  const sealed = value as Record<string, unknown>;
  if (sealed['consent'] !== true) throw new DomainError('INVALID_VALUE', `${field} is kept only with the citizen's consent`, `${field}.consent`);
  if (sealed['scheme'] !== 'cdt-seal/v1') throw new DomainError('INVALID_VALUE', `${field}.scheme must be cdt-seal/v1`, `${field}.scheme`);
  if (sealed['subjectRef'] !== subjectRef) throw new DomainError('INVALID_VALUE', `${field} must be sealed under the householdRef's key`, `${field}.subjectRef`);
  const keyId = requireUuid(sealed['keyId'], `${field}.keyId`);
  const parts = Object.fromEntries(
    Object.entries(SEALED_LIMITS).map(([part, max]) => {
      const text = sealed[part];
      if (typeof text !== 'string' || !BASE64URL.test(text) || text.length > max) {
        throw new DomainError('INVALID_VALUE', `${field}.${part} must be base64url of at most ${max} characters`, `${field}.${part}`);
      }
      return [part, text];
    }),
  ) as Record<keyof typeof SEALED_LIMITS, string>;
  return { consent: true, scheme: 'cdt-seal/v1', subjectRef, keyId, ...parts };
};

export const householdVisitDetails = (command: { householdRef: unknown; skills: unknown; followUpContact?: unknown }): HouseholdVisitDetails => {
  const householdRef = requireRef(command.householdRef, 'householdRef');
  if (!Array.isArray(command.skills)) {
    throw new DomainError('INVALID_VALUE', `skills must be a list of ${DIGITAL_SKILLS.join(', ')}`, 'skills');
  }
  const taught = command.skills.map((skill) => requireOneOf(DIGITAL_SKILLS, skill, 'skills'));
  if (new Set(taught).size !== taught.length) {
    throw new DomainError('INVALID_VALUE', 'skills must not repeat a skill', 'skills');
  }
  const skillsInOrder = DIGITAL_SKILLS.filter((skill) => taught.includes(skill));
  // An absent contact leaves no key at all: events recorded before the field existed hash as they did.
  return command.followUpContact === undefined
    ? { householdRef, skills: skillsInOrder }
    : { householdRef, skills: skillsInOrder, followUpContact: sealedFollowUpContact(command.followUpContact, householdRef) };
};

export const trainingDetails = (command: { traineeRef: unknown; traineeKind: unknown; courseCode: unknown }): TrainingDetails => {
  const traineeRef = requireRef(command.traineeRef, 'traineeRef');
  const traineeKind = requireOneOf(TRAINEE_KINDS, command.traineeKind, 'traineeKind');
  if (typeof command.courseCode !== 'string' || !COURSE_CODE.test(command.courseCode)) {
    throw new DomainError('INVALID_VALUE', 'courseCode must be a course code of letters, digits and _ . : -', 'courseCode');
  }
  return { traineeRef, traineeKind, courseCode: command.courseCode };
};

export const appInstallDetails = (command: { app: unknown; citizenRef: unknown }): AppInstallDetails => ({
  app: requireOneOf(ASSISTED_APPS, command.app, 'app'),
  citizenRef: requireRef(command.citizenRef, 'citizenRef'),
});

export const digitalServiceDetails = (command: { service: unknown; subjectRef: unknown }): DigitalServiceDetails => ({
  service: requireOneOf(DIGITAL_SERVICES, command.service, 'service'),
  subjectRef: requireRef(command.subjectRef, 'subjectRef'),
});

/** Who did it: at least one member, each named once; sorted so the order typed on a phone is irrelevant. */
export const canonicalMemberIds = (memberIds: unknown): string[] => {
  if (!Array.isArray(memberIds) || memberIds.length === 0) {
    throw new DomainError('MEMBERS_REQUIRED', 'memberIds must name at least one team member', 'memberIds');
  }
  const ids = memberIds.map((memberId) => requireId(memberId, 'memberIds'));
  if (new Set(ids).size !== ids.length) {
    throw new DomainError('INVALID_VALUE', 'memberIds must not repeat a member', 'memberIds');
  }
  return [...ids].sort();
};

/** Key-order-insensitive JSON: recorded data may come back from jsonb with its keys reordered. */
export const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
};
