import { SCHEMA_VERSION_1 } from '@cdt/domain-shared';
import type { ActivityRecorded } from '@cdt/domain-activity';
import { applyDeltas, contributionsOf, emptyReadModel, projectorStateOf, type InMemoryReadModel } from './in-memory-read-model';
import { projectBatch, type ProjectionEvent } from './projector';
import type { UnitResolver } from './units';

/**
 * A small two-hierarchy map for specs: before 2025-07-01 communes 10001/10002 sit in district 101 of
 * province 10 and 20001 in district 201 of province 20; from 2025-07-01 districts are gone and the new
 * commune 30001 sits in province 30.
 */
export const REFORM_DAY = '2025-07-01';
const PROVINCE_OF: Record<string, string> = { '10001': '10', '10002': '10', '20001': '20', '30001': '30' };
export const resolve: UnitResolver = (communeCode, on) => {
  const provinceCode = PROVINCE_OF[communeCode];
  if (!provinceCode) return undefined;
  return on < REFORM_DAY ? { provinceCode, districtCode: `${provinceCode}1` } : { provinceCode };
};

export const ref = (n: number): string => n.toString(16).padStart(64, '0');

let sequence = 0;
const nextId = (): string => `e-${++sequence}`;

const event = (type: string, data: Record<string, unknown>, eventId = nextId()): ProjectionEvent => ({ eventId, type, data: { ...data } });

export const established = (teamId: string, communeCode: string, on: string, village = 'Thôn 1'): ProjectionEvent =>
  event('TeamEstablished', { teamId, communeCode, village, on });
export const joined = (teamId: string, memberId: string, on: string, youthUnion = false): ProjectionEvent =>
  event('MemberJoined', { teamId, memberId, role: 'member', youthUnion, on });
export const left = (teamId: string, memberId: string, on: string): ProjectionEvent => event('MemberLeft', { teamId, memberId, on });
export const roleChanged = (teamId: string, memberId: string, on: string, youthUnion: boolean): ProjectionEvent =>
  event('MemberRoleChanged', { teamId, memberId, role: 'member', youthUnion, on });
export const dissolved = (teamId: string, on: string): ProjectionEvent => event('TeamDissolved', { teamId, reason: 'merged', on });
export const relocated = (teamId: string, from: { communeCode: string; village?: string }, to: { communeCode: string; village?: string }, on: string): ProjectionEvent =>
  event('TeamRelocated', {
    teamId,
    fromCommuneCode: from.communeCode,
    fromVillage: from.village ?? 'Thôn 1',
    communeCode: to.communeCode,
    village: to.village ?? 'Thôn 1',
    reason: 'administrative-reform-2025',
    on,
  });
export const targetAssigned = (unitCode: string, indicatorCode: string, period: string, value: number): ProjectionEvent =>
  event('TargetAssigned', { unitCode, indicatorCode, period, value });

export interface Where {
  teamId: string;
  communeCode: string;
  village?: string;
  occurredAt: string;
  memberIds?: string[];
}

const facts = (activityId: string, where: Where) => ({
  activityId,
  teamId: where.teamId,
  memberIds: where.memberIds ?? ['m1'],
  occurredAt: where.occurredAt,
  communeCode: where.communeCode,
  village: where.village ?? 'Thôn 1',
});

/** A recorded activity as it sits in the log: the event id is the activity id. */
export const recorded = (type: ActivityRecorded['type'], where: Where, details: Record<string, unknown>, activityId = nextId()): ProjectionEvent =>
  event(type, { ...facts(activityId, where), ...details }, activityId);

export const visit = (where: Where, householdRef: string, skills: string[] = ['public-services']): ProjectionEvent =>
  recorded('HouseholdVisitRecorded', where, { householdRef, skills });
export const install = (where: Where, app: string, citizenRef = ref(9)): ProjectionEvent =>
  recorded('AppInstallAssistRecorded', where, { app, citizenRef });
export const serviceAssist = (where: Where, service: string): ProjectionEvent =>
  recorded('DigitalServiceAssistRecorded', where, { service, subjectRef: ref(7) });
export const enrollment = (where: Where, traineeKind: string, completed = false): ProjectionEvent =>
  recorded(completed ? 'TrainingCompletionRecorded' : 'TrainingEnrollmentRecorded', where, { traineeRef: ref(5), traineeKind, courseCode: 'MOOC-1' });

/** The retraction of a recorded activity carries it whole. */
export const retraction = (original: ProjectionEvent): ProjectionEvent => {
  const data = original.data as Record<string, unknown>;
  return event('ActivityRetracted', {
    ...facts(String(data['activityId']), data as unknown as Where),
    retractionId: `r-${original.eventId}`,
    reason: 'duplicate entry',
    retractedBy: 'supervisor-1',
    retractedAt: '2026-12-01T09:00:00+07:00',
    retracted: { type: original.type, schemaVersion: SCHEMA_VERSION_1, data },
  }, `r-${original.eventId}`);
};

/** The log cut in batches of the given sizes (at least one event each), the rest in one last batch. */
export function* batchesOf(events: readonly ProjectionEvent[], batchSizes: readonly number[]): Generator<readonly ProjectionEvent[]> {
  let offset = 0;
  const sizes = [...batchSizes];
  while (offset < events.length) {
    const size = sizes.shift() ?? events.length - offset;
    const batch = events.slice(offset, offset + Math.max(1, size));
    offset += batch.length;
    yield batch;
  }
}

/** Feeds events to a model in batches of the given sizes (the rest in one last batch), as the runner does. */
export const project = (events: readonly ProjectionEvent[], batchSizes: readonly number[] = [], model: InMemoryReadModel = emptyReadModel()): InMemoryReadModel => {
  for (const batch of batchesOf(events, batchSizes)) {
    const { deltas } = projectBatch(projectorStateOf(model), batch, {
      resolve,
      isApplied: (eventId) => model.applied.has(eventId),
      contributionsOf: (teamId) => contributionsOf(model, teamId),
    });
    applyDeltas(model, deltas);
  }
  return model;
};
