import { SCHEMA_VERSION_1 } from '@cdt/domain-shared';
import type { ProjectionEvent, UnitResolver } from '@cdt/domain-kpi';

/** A small map with both hierarchies: districts 101/201 until 2025-06-30, new commune 30001 after. */
export const resolve: UnitResolver = (communeCode, on) => {
  const provinceCode = ({ '10001': '10', '10002': '10', '20001': '20', '30001': '30' } as Record<string, string>)[communeCode];
  if (!provinceCode) return undefined;
  return on < '2025-07-01' ? { provinceCode, districtCode: `${provinceCode}1` } : { provinceCode };
};

const ref = (n: number): string => n.toString(16).padStart(64, '0');
let n = 0;
const ev = (type: string, data: Record<string, unknown>, eventId = `c-${++n}`): ProjectionEvent => ({ eventId, type, data });

const activity = (type: string, teamId: string, communeCode: string, occurredAt: string, details: Record<string, unknown>, memberIds = ['m1']): ProjectionEvent => {
  const activityId = `a-${++n}`;
  return ev(type, { activityId, teamId, memberIds, occurredAt, communeCode, village: 'Thôn 1', ...details }, activityId);
};

const retract = (original: ProjectionEvent): ProjectionEvent => {
  const data = original.data as Record<string, unknown>;
  return ev('ActivityRetracted', { ...data, retractionId: `r-${original.eventId}`, reason: 'wrong household', retractedBy: 's1', retractedAt: '2026-03-01T00:00:00Z', retracted: { type: original.type, schemaVersion: SCHEMA_VERSION_1, data } });
};

/** Registry facts, activities in both hierarchies, a retraction, a redelivery, a relocation and targets. */
export const scenario = (): ProjectionEvent[] => {
  const visitA = activity('HouseholdVisitRecorded', 't1', '10001', '2024-03-02T09:00:00+07:00', { householdRef: ref(1), skills: ['public-services'] }, ['m1', 'm2']);
  const visitB = activity('HouseholdVisitRecorded', 't1', '10001', '2024-03-09T09:00:00+07:00', { householdRef: ref(1), skills: ['online-payment'] });
  const installs = Array.from({ length: 12 }, (_, i) =>
    activity('AppInstallAssistRecorded', i % 2 ? 't2' : 't3', i % 2 ? '10002' : '20001', `2024-0${1 + (i % 6)}-10T09:00:00+07:00`, { app: 'vneid', citizenRef: ref(100 + (i % 5)) }),
  );
  return [
    ev('TeamEstablished', { teamId: 't1', communeCode: '10001', village: 'Thôn 1', on: '2024-01-01' }),
    ev('TeamEstablished', { teamId: 't2', communeCode: '10002', village: 'Thôn 1', on: '2024-01-01' }),
    ev('TeamEstablished', { teamId: 't3', communeCode: '20001', village: 'Thôn 1', on: '2024-01-01' }),
    ev('MemberJoined', { teamId: 't1', memberId: 'm1', role: 'leader', youthUnion: true, on: '2024-01-01' }),
    ev('MemberJoined', { teamId: 't1', memberId: 'm2', role: 'member', youthUnion: false, on: '2024-01-01' }),
    ev('TargetAssigned', { unitCode: '10', indicatorCode: 'app-install.vneid', period: '2024', value: 4 }),
    visitA,
    visitB,
    ...installs,
    installs[3],
    retract(visitB),
    ev('TeamRelocated', { teamId: 't1', fromCommuneCode: '10001', fromVillage: 'Thôn 1', communeCode: '30001', village: 'Thôn 1', reason: 'administrative-reform-2025', on: '2025-07-01' }),
    activity('DigitalServiceAssistRecorded', 't1', '30001', '2025-08-01T09:00:00+07:00', { service: 'dvctt-dossier', subjectRef: ref(7) }),
    ev('TargetAssigned', { unitCode: '30', indicatorCode: 'dvctt-dossiers', period: '2025', value: 2 }),
    ev('TeamDissolved', { teamId: 't2', reason: 'merged', on: '2025-09-01' }),
  ];
};

/** The units and periods the suite compares, in both views. */
export const PROBES: { level: 'team' | 'village' | 'commune' | 'district' | 'province' | 'nation'; keys: string[] }[] = [
  { level: 'team', keys: ['t1', 't2', 't3'] },
  { level: 'village', keys: ['10001/Thôn 1', '10002/Thôn 1', '30001/Thôn 1'] },
  { level: 'commune', keys: ['10001', '10002', '20001', '30001'] },
  { level: 'district', keys: ['101', '201'] },
  { level: 'province', keys: ['10', '20', '30'] },
  { level: 'nation', keys: ['VN'] },
];
export const PERIODS = ['2024', '2024-Q1', '2024-03', '2024-W09', '2024-03-02', '2025', '2025-08', '2025-W31'];
