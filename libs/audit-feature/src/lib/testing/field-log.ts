import { randomUUID } from 'node:crypto';
import { activityStream, teamStream, unitStream } from '@cdt/domain-shared';
import { compareCheckpoints, START, type Checkpoint, type EventStore, type NewEvent } from '@cdt/event-store';

/**
 * A small field-work log for the audit specs, written straight to the store: teams of Tiền Giang (82)
 * and Cần Thơ (92) on pre-reform communes, members, activities of several kinds in 2025, one retraction,
 * every team moved onto its 2025 commune on the reform day, a visit after it, and a target.
 */
export interface FieldTeam {
  teamId: string;
  /** Commune before 2025-07-01 and the 2025 commune it went into. */
  old: string;
  current: string;
}

export const FIELD_TEAMS: readonly FieldTeam[] = [
  { teamId: 'tg-a', old: '28249', current: '28249' },
  { teamId: 'tg-b', old: '28252', current: '28249' },
  { teamId: 'tg-c', old: '28261', current: '28261' },
  { teamId: 'ct-a', old: '31117', current: '31120' },
];

const meta = (occurredAt: string) => ({ occurredAt, actor: 'field-log', correlationId: randomUUID() });
const ref = (n: number): string => n.toString(16).padStart(64, 'b');
const newEvent = (type: string, data: Record<string, unknown>, occurredAt: string, eventId: string = randomUUID()): NewEvent => ({ eventId, type, schemaVersion: 1, data, metadata: meta(occurredAt) });

export interface FieldLog {
  appends: { stream: string; events: NewEvent[] }[];
  /** The event id of the one retracted visit and of its retraction. */
  retracted: { activityId: string; retractionId: string };
}

export function fieldLog(teams: readonly FieldTeam[] = FIELD_TEAMS): FieldLog {
  const appends: FieldLog['appends'] = [];
  const village = 'Ấp 1';
  for (const team of teams) {
    appends.push({
      stream: teamStream(team.teamId),
      events: [
        newEvent('TeamEstablished', { teamId: team.teamId, communeCode: team.old, village, on: '2025-01-06' }, '2025-01-06T08:00:00+07:00'),
        newEvent('MemberJoined', { teamId: team.teamId, memberId: 'm1', role: 'leader', youthUnion: true, on: '2025-01-06' }, '2025-01-06T08:00:00+07:00'),
        newEvent('MemberJoined', { teamId: team.teamId, memberId: 'm2', role: 'member', youthUnion: false, on: '2025-02-03' }, '2025-02-03T08:00:00+07:00'),
      ],
    });
  }
  let retracted: FieldLog['retracted'] | undefined;
  teams.forEach((team, t) => {
    const events: NewEvent[] = [];
    for (let k = 0; k < 4 + t; k++) {
      const occurredAt = `2025-03-${String(3 + k).padStart(2, '0')}T09:00:00+07:00`;
      const activityId = randomUUID();
      const facts = { activityId, teamId: team.teamId, memberIds: [k % 2 ? 'm2' : 'm1'], occurredAt, communeCode: team.old, village };
      events.push(k % 3 === 2
        ? newEvent('AppInstallAssistRecorded', { ...facts, app: 'vneid', citizenRef: ref(100 + k) }, occurredAt, activityId)
        : newEvent('HouseholdVisitRecorded', { ...facts, householdRef: ref(k % 2), skills: ['public-services'] }, occurredAt, activityId));
    }
    if (t === 0) {
      const original = events[0];
      const retractionId = randomUUID();
      const data = original.data;
      events.push(newEvent('ActivityRetracted', { ...data, retractionId, reason: 'duplicate entry', retractedBy: 'officer-1', retractedAt: '2025-03-20T09:00:00+07:00', retracted: { type: original.type, schemaVersion: 1, data } }, String(data['occurredAt']), retractionId));
      retracted = { activityId: original.eventId, retractionId };
    }
    appends.push({ stream: activityStream(team.teamId, '2025-03-03T09:00:00+07:00'), events });
  });
  for (const team of teams) {
    appends.push({
      stream: teamStream(team.teamId),
      events: [newEvent('TeamRelocated', { teamId: team.teamId, fromCommuneCode: team.old, fromVillage: village, communeCode: team.current, village, reason: 'administrative-reform-2025', on: '2025-07-01' }, '2025-07-01T08:00:00+07:00')],
    });
    const occurredAt = '2025-07-08T09:00:00+07:00';
    const activityId = randomUUID();
    appends.push({
      stream: activityStream(team.teamId, occurredAt),
      events: [newEvent('HouseholdVisitRecorded', { activityId, teamId: team.teamId, memberIds: ['m1'], occurredAt, communeCode: team.current, village, householdRef: ref(7), skills: ['online-payment'] }, occurredAt, activityId)],
    });
  }
  appends.push({ stream: unitStream('82'), events: [newEvent('TargetAssigned', { unitCode: '82', indicatorCode: 'household-visits', period: '2025', value: 20 }, '2025-01-02T08:00:00+07:00')] });
  if (!retracted) throw new Error('fieldLog needs at least one team');
  return { appends, retracted };
}

/** Appends the log and waits until gap-safe readers see all of it. */
export async function appendFieldLog(store: Pick<EventStore, 'append' | 'head'>, log: FieldLog): Promise<Checkpoint> {
  let last = START;
  for (const { stream, events } of log.appends) {
    for (const e of (await store.append(stream, events, 'any')).events) if (compareCheckpoints(e.position, last) > 0) last = e.position;
  }
  for (const deadline = Date.now() + 60_000; compareCheckpoints(await store.head(), last) < 0; await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > deadline) throw new Error('appended events never became visible');
  }
  return last;
}
