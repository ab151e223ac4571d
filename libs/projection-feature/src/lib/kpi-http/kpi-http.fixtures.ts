import { randomUUID } from 'node:crypto';
import { SCHEMA_VERSION_1, activityStream, teamStream, unitStream } from '@cdt/domain-shared';
import type { EventStore, NewEvent } from '@cdt/event-store';

/**
 * A small real-map scenario for the KPI API specs, appended to an event store as the write side would:
 * Đồng Tháp (82) communes 28249 and 28261, Hồ Chí Minh City (79) commune 25747, and a team that sat in
 * pre-2025 Phường 4 (28252, district 815 of old province 82) and was relocated to 28249 on 2025-07-01.
 */
export const ref = (n: number): string => n.toString(16).padStart(64, 'a');

interface Where {
  teamId: string;
  communeCode: string;
  village: string;
  memberIds: string[];
}
export const TEAM_A: Where = { teamId: 'kpi-a', communeCode: '28249', village: 'Ấp Tân Hòa', memberIds: ['a1'] };
export const TEAM_B: Where = { teamId: 'kpi-b', communeCode: '28261', village: 'Ấp An Bình', memberIds: ['b1'] };
export const TEAM_H: Where = { teamId: 'kpi-h', communeCode: '25747', village: 'Khu phố 1', memberIds: ['h1'] };
export const TEAM_OLD: Where = { teamId: 'kpi-old', communeCode: '28252', village: 'Khu phố 2', memberIds: ['o1'] };

const newEvent = (type: string, data: Record<string, unknown>, occurredAt: string, eventId: string = randomUUID()): NewEvent => ({
  eventId,
  type,
  schemaVersion: SCHEMA_VERSION_1,
  data,
  metadata: { occurredAt, actor: 'kpi-spec', correlationId: randomUUID() },
});

async function establish(store: EventStore, team: Where, on: string, youthUnion: boolean): Promise<void> {
  const { teamId, communeCode, village } = team;
  await store.append(
    teamStream(teamId),
    [
      newEvent('TeamEstablished', { teamId, communeCode, village, on }, `${on}T08:00:00+07:00`),
      newEvent('MemberJoined', { teamId, memberId: team.memberIds[0], role: 'leader', youthUnion, on }, `${on}T08:00:00+07:00`),
    ],
    'no-stream',
  );
}

async function activity(store: EventStore, team: Where, type: string, occurredAt: string, details: Record<string, unknown>): Promise<NewEvent> {
  const activityId = randomUUID();
  const event = newEvent(type, { activityId, teamId: team.teamId, memberIds: team.memberIds, occurredAt, communeCode: team.communeCode, village: team.village, ...details }, occurredAt, activityId);
  await store.append(activityStream(team.teamId, occurredAt), [event], 'any');
  return event;
}

const visit = (store: EventStore, team: Where, occurredAt: string, household: number) =>
  activity(store, team, 'HouseholdVisitRecorded', occurredAt, { householdRef: ref(household), skills: ['public-services'] });
const install = (store: EventStore, team: Where, occurredAt: string, app: string, citizen: number) =>
  activity(store, team, 'AppInstallAssistRecorded', occurredAt, { app, citizenRef: ref(citizen) });

/**
 * What the scenario implies for 2026-11 (as recorded): province 82 has 3 household visits (A: 2 after
 * one of 3 is retracted, B: 1) to 2 distinct households, 1 VNeID and 2 e-wallet installs, a target of 4
 * visits (75.0 %); province 79 has 4 visits; 28249 leads the communes of 82. In 2024-03 the old team
 * made 1 visit under district 815, which the current view shows under 28249.
 */
export async function appendScenario(store: EventStore): Promise<void> {
  await establish(store, TEAM_A, '2026-01-05', true);
  await establish(store, TEAM_B, '2026-01-05', false);
  await establish(store, TEAM_H, '2026-01-05', false);
  await establish(store, TEAM_OLD, '2024-01-10', false);
  await visit(store, TEAM_OLD, '2024-03-04T09:00:00+07:00', 50);
  await store.append(
    teamStream(TEAM_OLD.teamId),
    [
      newEvent(
        'TeamRelocated',
        { teamId: TEAM_OLD.teamId, fromCommuneCode: '28252', fromVillage: TEAM_OLD.village, communeCode: '28249', village: TEAM_OLD.village, reason: 'administrative-reform-2025', on: '2025-07-01' },
        '2025-07-01T08:00:00+07:00',
      ),
    ],
    'any',
  );
  await visit(store, TEAM_A, '2026-11-03T09:00:00+07:00', 1);
  await visit(store, TEAM_A, '2026-11-10T09:00:00+07:00', 1);
  const mistaken = await visit(store, TEAM_A, '2026-11-25T09:00:00+07:00', 2);
  await install(store, TEAM_A, '2026-11-25T10:00:00+07:00', 'vneid', 10);
  await visit(store, TEAM_B, '2026-11-12T09:00:00+07:00', 3);
  await install(store, TEAM_B, '2026-11-12T10:00:00+07:00', 'e-wallet', 11);
  await install(store, TEAM_B, '2026-11-13T10:00:00+07:00', 'e-wallet', 12);
  for (let day = 2; day <= 5; day++) await visit(store, TEAM_H, `2026-11-0${day}T09:00:00+07:00`, 100 + day);
  await store.append(
    activityStream(TEAM_A.teamId, '2026-11-25T09:00:00+07:00'),
    [
      newEvent(
        'ActivityRetracted',
        { ...mistaken.data, retractionId: randomUUID(), reason: 'duplicate entry', retractedBy: 'a1', retractedAt: '2026-11-26T09:00:00+07:00', retracted: { type: mistaken.type, schemaVersion: SCHEMA_VERSION_1, data: mistaken.data } },
        '2026-11-26T09:00:00+07:00',
      ),
    ],
    'any',
  );
  await store.append(unitStream('82'), [newEvent('TargetAssigned', { unitCode: '82', indicatorCode: 'household-visits', period: '2026-11', value: 4 }, '2026-11-01T08:00:00+07:00')], 'any');
}
