import { SCHEMA_VERSION_1 } from '@cdt/domain-shared';
import type { TeamEvent, TeamRole } from '@cdt/domain-registry';
import type { ActivityFacts, RecordActivityBase } from './activity';

/** Shared by the activity specs: a team in An Giang-style commune 30001 and a few refs. */
export const v1 = SCHEMA_VERSION_1;
export const teamId = 't-001';
export const ACTIVITY_ID = '3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c';
export const RETRACTION_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
export const HOUSEHOLD = 'a1'.repeat(32);
export const CITIZEN = 'c2'.repeat(32);
export const NOW = '2026-03-02T10:00:00+07:00';

export const established: TeamEvent = {
  type: 'TeamEstablished',
  schemaVersion: v1,
  data: { teamId, communeCode: '30001', village: 'Ấp Long Hòa', on: '2024-01-10' },
};
export const joined = (memberId: string, on = '2024-01-10', role: TeamRole = 'member'): TeamEvent => ({
  type: 'MemberJoined',
  schemaVersion: v1,
  data: { teamId, memberId, role, youthUnion: false, on },
});
export const left = (memberId: string, on: string): TeamEvent => ({
  type: 'MemberLeft',
  schemaVersion: v1,
  data: { teamId, memberId, on },
});
export const relocated = (on: string): TeamEvent => ({
  type: 'TeamRelocated',
  schemaVersion: v1,
  data: {
    teamId,
    fromCommuneCode: '30001',
    fromVillage: 'Ấp Long Hòa',
    communeCode: '30010',
    village: 'Ấp Long Hòa',
    reason: 'administrative-reform-2025',
    on,
  },
});
export const dissolved = (on: string): TeamEvent => ({
  type: 'TeamDissolved',
  schemaVersion: v1,
  data: { teamId, reason: 'merged', on },
});
export const team = [established, joined('m1', '2024-01-10', 'leader'), joined('m2')];

export const base = (overrides: Partial<RecordActivityBase> = {}): RecordActivityBase => ({
  activityId: ACTIVITY_ID,
  teamId,
  memberIds: ['m1'],
  occurredAt: '2026-03-02T09:00:00+07:00',
  now: NOW,
  ...overrides,
});

/** The facts an event carries for `base(overrides)` recorded while the team was in commune 30001. */
export const facts = (overrides: Partial<ActivityFacts> = {}): ActivityFacts => ({
  activityId: ACTIVITY_ID,
  teamId,
  memberIds: ['m1'],
  occurredAt: '2026-03-02T09:00:00+07:00',
  communeCode: '30001',
  village: 'Ấp Long Hòa',
  ...overrides,
});
