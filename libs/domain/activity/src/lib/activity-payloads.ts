import { DomainError, requireId, requireOneOf, requireRef } from '@cdt/domain-shared';
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

export const householdVisitDetails = (command: { householdRef: unknown; skills: unknown }): HouseholdVisitDetails => {
  const householdRef = requireRef(command.householdRef, 'householdRef');
  if (!Array.isArray(command.skills)) {
    throw new DomainError('INVALID_VALUE', `skills must be a list of ${DIGITAL_SKILLS.join(', ')}`, 'skills');
  }
  const taught = command.skills.map((skill) => requireOneOf(DIGITAL_SKILLS, skill, 'skills'));
  if (new Set(taught).size !== taught.length) {
    throw new DomainError('INVALID_VALUE', 'skills must not repeat a skill', 'skills');
  }
  return { householdRef, skills: DIGITAL_SKILLS.filter((skill) => taught.includes(skill)) };
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
