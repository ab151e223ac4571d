// Specs use the shared test helpers; production domain code may not (eslint.config.mjs boundary rule).
import { deciderSpec } from '@cdt/testing';
import { SCHEMA_VERSION_1 } from '@cdt/domain-shared';
import { teamDecider, type ChangeMemberRole, type RelocateTeam, type TeamCommand, type TeamEvent } from './team';
import type { TeamRole } from './vocabulary';

const spec = deciderSpec(teamDecider);
const teamId = 't-001';
const v1 = SCHEMA_VERSION_1;

const established: TeamEvent = {
  type: 'TeamEstablished',
  schemaVersion: v1,
  data: { teamId, communeCode: '26734', village: 'Thôn Tân Hòa', on: '2024-01-10' },
};
const joined = (memberId: string, role: TeamRole = 'member', on = '2024-01-10', youthUnion = false): TeamEvent => ({
  type: 'MemberJoined',
  schemaVersion: v1,
  data: { teamId, memberId, role, youthUnion, on },
});
const left = (memberId: string, on: string): TeamEvent => ({
  type: 'MemberLeft',
  schemaVersion: v1,
  data: { teamId, memberId, on },
});
const dissolved: TeamEvent = {
  type: 'TeamDissolved',
  schemaVersion: v1,
  data: { teamId, reason: 'merged into t-002', on: '2025-07-01' },
};

const establish = (overrides: Partial<Extract<TeamCommand, { type: 'EstablishTeam' }>> = {}): TeamCommand => ({
  type: 'EstablishTeam',
  teamId,
  communeCode: '26734',
  village: 'Thôn Tân Hòa',
  on: '2024-01-10',
  ...overrides,
});
const addMember = (memberId: string, role: TeamRole = 'member', on = '2024-02-01'): TeamCommand => ({
  type: 'AddMember',
  teamId,
  memberId,
  role,
  youthUnion: true,
  on,
});
const changeRole = (memberId: string, role: TeamRole, youthUnion = false): ChangeMemberRole => ({
  type: 'ChangeMemberRole',
  teamId,
  memberId,
  role,
  youthUnion,
  on: '2024-03-01',
});
const relocate = (communeCode: string, village: string, on = '2025-07-01'): RelocateTeam => ({
  type: 'RelocateTeam',
  teamId,
  communeCode,
  village,
  reason: 'administrative-reform-2025',
  on,
});

describe('establishing a team', () => {
  it('records the team under its commune and village', () => {
    spec.given([]).when(establish()).then([established]);
  });

  it('stores the village name in one canonical form (NFC, single spaces)', () => {
    const decomposed = '  Thôn  Tân Hòa '.normalize('NFD');
    spec.given([]).when(establish({ village: decomposed })).then([established]);
  });

  it('refuses a team that already exists', () => {
    spec.given([established]).when(establish()).thenThrows('TEAM_ALREADY_ESTABLISHED', 'teamId');
  });

  it('refuses a malformed commune code, an empty village and an impossible date', () => {
    spec.given([]).when(establish({ communeCode: '267' })).thenThrows('INVALID_VALUE', 'communeCode');
    spec.given([]).when(establish({ village: '   ' })).thenThrows('INVALID_VALUE', 'village');
    spec.given([]).when(establish({ on: '2024-02-30' })).thenThrows('INVALID_DATE', 'on');
    spec.given([]).when(establish({ teamId: 'has space' })).thenThrows('INVALID_ID', 'teamId');
  });
});

describe('membership', () => {
  it('adds a member with role and youth-union flag', () => {
    spec
      .given([established])
      .when(addMember('m1', 'deputy'))
      .then([{ type: 'MemberJoined', schemaVersion: v1, data: { teamId, memberId: 'm1', role: 'deputy', youthUnion: true, on: '2024-02-01' } }]);
  });

  it('refuses a member to a team that does not exist', () => {
    spec.given([]).when(addMember('m1')).thenThrows('TEAM_NOT_FOUND', 'teamId');
  });

  it('refuses a member who is already in the team', () => {
    spec.given([established, joined('m1')]).when(addMember('m1')).thenThrows('MEMBER_ALREADY_IN_TEAM', 'memberId');
  });

  it('lets a member who left come back later, but not on or before the day they left', () => {
    const history = [established, joined('m1'), left('m1', '2024-05-31')];
    spec.given(history).when(addMember('m1', 'member', '2024-06-01')).then([joined('m1', 'member', '2024-06-01', true)]);
    spec.given(history).when(addMember('m1', 'member', '2024-05-31')).thenThrows('DATE_OUT_OF_ORDER', 'on');
  });

  it('refuses a join dated before the team was established', () => {
    spec.given([established]).when(addMember('m1', 'member', '2024-01-09')).thenThrows('DATE_OUT_OF_ORDER', 'on');
  });

  it('refuses a second leader, on joining and on a role change', () => {
    const history = [established, joined('m1', 'leader'), joined('m2')];
    spec.given(history).when(addMember('m3', 'leader')).thenThrows('TEAM_ALREADY_HAS_LEADER', 'role');
    spec.given(history).when(changeRole('m2', 'leader')).thenThrows('TEAM_ALREADY_HAS_LEADER', 'role');
  });

  it('accepts a new leader once the old one has left', () => {
    spec
      .given([established, joined('m1', 'leader'), joined('m2'), left('m1', '2024-02-28')])
      .when(changeRole('m2', 'leader', true))
      .then([{ type: 'MemberRoleChanged', schemaVersion: v1, data: { teamId, memberId: 'm2', role: 'leader', youthUnion: true, on: '2024-03-01' } }]);
  });

  it('lets the leader re-send their own role (no change, nothing recorded)', () => {
    spec.given([established, joined('m1', 'leader')]).when(changeRole('m1', 'leader')).then([]);
  });

  it('records a member leaving, and refuses one who is not in the team', () => {
    const leave: TeamCommand = { type: 'RemoveMember', teamId, memberId: 'm1', on: '2024-04-30' };
    spec.given([established, joined('m1')]).when(leave).then([left('m1', '2024-04-30')]);
    spec.given([established]).when(leave).thenThrows('MEMBER_NOT_IN_TEAM', 'memberId');
    spec.given([established, joined('m1'), left('m1', '2024-03-01')]).when(leave).thenThrows('MEMBER_NOT_IN_TEAM', 'memberId');
  });

  it('refuses a leave dated before the member joined', () => {
    spec
      .given([established, joined('m1', 'member', '2024-03-01')])
      .when({ type: 'RemoveMember', teamId, memberId: 'm1', on: '2024-02-01' })
      .thenThrows('DATE_OUT_OF_ORDER', 'on');
  });

  it('refuses a role change for someone not in the team, and an unknown role', () => {
    spec.given([established]).when(changeRole('m9', 'deputy')).thenThrows('MEMBER_NOT_IN_TEAM', 'memberId');
    spec
      .given([established, joined('m1')])
      .when({ ...changeRole('m1', 'deputy'), role: 'chief' as TeamRole })
      .thenThrows('INVALID_VALUE', 'role');
  });
});

describe('relocation and dissolution', () => {
  it('moves the team to a new commune, keeping where it came from', () => {
    spec
      .given([established])
      .when(relocate('26735', 'Ấp Mới'))
      .then([
        {
          type: 'TeamRelocated',
          schemaVersion: v1,
          data: {
            teamId,
            fromCommuneCode: '26734',
            fromVillage: 'Thôn Tân Hòa',
            communeCode: '26735',
            village: 'Ấp Mới',
            reason: 'administrative-reform-2025',
            on: '2025-07-01',
          },
        },
      ]);
  });

  it('records nothing when relocated to where it already is', () => {
    spec.given([established]).when(relocate('26734', 'Thôn Tân Hòa', '2025-06-30')).then([]);
  });

  it('records a move across the reform day even when the new commune reuses the old code', () => {
    spec
      .given([established])
      .when(relocate('26734', 'Thôn Tân Hòa', '2025-07-01'))
      .then([
        {
          type: 'TeamRelocated',
          schemaVersion: v1,
          data: {
            teamId,
            fromCommuneCode: '26734',
            fromVillage: 'Thôn Tân Hòa',
            communeCode: '26734',
            village: 'Thôn Tân Hòa',
            reason: 'administrative-reform-2025',
            on: '2025-07-01',
          },
        },
      ]);
  });

  it('refuses an unknown relocation reason and a relocation dated before the current unit', () => {
    spec
      .given([established])
      .when({ ...relocate('26735', 'Ấp Mới'), reason: 'whim' as 'reorganisation' })
      .thenThrows('INVALID_VALUE', 'reason');
    spec.given([established]).when(relocate('26735', 'Ấp Mới', '2023-12-31')).thenThrows('DATE_OUT_OF_ORDER', 'on');
  });

  it('dissolves a team with a reason', () => {
    spec
      .given([established])
      .when({ type: 'DissolveTeam', teamId, reason: ' merged into t-002 ', on: '2025-07-01' })
      .then([dissolved]);
    spec.given([established]).when({ type: 'DissolveTeam', teamId, reason: ' ', on: '2025-07-01' }).thenThrows('REASON_REQUIRED', 'reason');
  });

  it('refuses any change to a dissolved team', () => {
    const history = [established, joined('m1'), dissolved];
    spec.given(history).when(addMember('m2')).thenThrows('TEAM_DISSOLVED', 'teamId');
    spec.given(history).when(changeRole('m1', 'deputy')).thenThrows('TEAM_DISSOLVED', 'teamId');
    spec.given(history).when({ type: 'RemoveMember', teamId, memberId: 'm1', on: '2025-08-01' }).thenThrows('TEAM_DISSOLVED', 'teamId');
    spec.given(history).when(relocate('26735', 'Ấp Mới', '2025-08-01')).thenThrows('TEAM_DISSOLVED', 'teamId');
    spec.given(history).when({ type: 'DissolveTeam', teamId, reason: 'again', on: '2025-08-01' }).thenThrows('TEAM_DISSOLVED', 'teamId');
  });
});

describe('team state (membership history for past-dated checks)', () => {
  it('keeps every membership period and every unit', () => {
    spec
      .given([
        established,
        joined('m1', 'leader', '2024-01-10', true),
        left('m1', '2024-05-31'),
        joined('m1', 'member', '2024-09-01'),
        { type: 'TeamRelocated', schemaVersion: v1, data: { teamId, fromCommuneCode: '26734', fromVillage: 'Thôn Tân Hòa', communeCode: '26735', village: 'Ấp Mới', reason: 'administrative-reform-2025', on: '2025-07-01' } },
      ])
      .thenModel({
        status: 'active',
        teamId,
        establishedOn: '2024-01-10',
        units: [
          { communeCode: '26734', village: 'Thôn Tân Hòa', from: '2024-01-10' },
          { communeCode: '26735', village: 'Ấp Mới', from: '2025-07-01' },
        ],
        members: {
          m1: {
            memberId: 'm1',
            role: 'member',
            youthUnion: false,
            periods: [{ joinedOn: '2024-01-10', leftOn: '2024-05-31' }, { joinedOn: '2024-09-01' }],
          },
        },
      });
  });
});
