// Specs use the shared test helpers; production domain code may not (eslint.config.mjs boundary rule).
import { deciderSpec } from '@cdt/testing';
import { SCHEMA_VERSION_1 } from '@cdt/domain-shared';
import { teamDecider, type TeamEvent } from './team';
import { isActiveOn, isMemberOn, memberIdsOn, teamCompositionIssues, unitOn } from './team-queries';
import type { TeamRole } from './vocabulary';

const teamId = 't-001';
const v1 = SCHEMA_VERSION_1;
const established: TeamEvent = {
  type: 'TeamEstablished',
  schemaVersion: v1,
  data: { teamId, communeCode: '20194', village: 'Tổ 5', on: '2024-01-10' },
};
const joined = (memberId: string, role: TeamRole = 'member', on = '2024-01-10'): TeamEvent => ({
  type: 'MemberJoined',
  schemaVersion: v1,
  data: { teamId, memberId, role, youthUnion: false, on },
});
const left = (memberId: string, on: string): TeamEvent => ({ type: 'MemberLeft', schemaVersion: v1, data: { teamId, memberId, on } });
const stateOf = (events: TeamEvent[]) => deciderSpec(teamDecider).given(events).state();
const teamOf = (size: number, leader = true) =>
  stateOf([established, ...Array.from({ length: size }, (_, i) => joined(`m${i + 1}`, leader && i === 0 ? 'leader' : 'member'))]);

describe('membership on a past day', () => {
  const state = stateOf([established, joined('m1', 'member', '2024-02-01'), left('m1', '2024-05-31'), joined('m1', 'member', '2024-09-01')]);

  it('counts the day of joining and the day of leaving, not the gap between periods', () => {
    expect(isMemberOn(state, 'm1', '2024-01-31')).toBe(false);
    expect(isMemberOn(state, 'm1', '2024-02-01')).toBe(true);
    expect(isMemberOn(state, 'm1', '2024-05-31T23:59:00+07:00')).toBe(true);
    expect(isMemberOn(state, 'm1', '2024-06-01T00:00:00+07:00')).toBe(false);
    expect(isMemberOn(state, 'm1', '2024-09-01')).toBe(true);
    expect(memberIdsOn(state, '2024-07-01')).toEqual([]);
  });

  it('judges a timestamp on its day in Vietnam', () => {
    // 2024-01-31T17:30Z is 1 February 00:30 in Vietnam: m1 had joined.
    expect(isMemberOn(state, 'm1', '2024-01-31T17:30:00Z')).toBe(true);
  });
});

describe('team active and unit on a day', () => {
  const state = stateOf([
    established,
    { type: 'TeamRelocated', schemaVersion: v1, data: { teamId, fromCommuneCode: '20194', fromVillage: 'Tổ 5', communeCode: '20200', village: 'Tổ 5', reason: 'administrative-reform-2025', on: '2025-07-01' } },
    { type: 'TeamDissolved', schemaVersion: v1, data: { teamId, reason: 'merged', on: '2026-01-01' } },
  ]);

  it('is active from establishment until the day before dissolution', () => {
    expect(isActiveOn(state, '2024-01-09')).toBe(false);
    expect(isActiveOn(state, '2024-01-10')).toBe(true);
    expect(isActiveOn(state, '2025-12-31T23:00:00+07:00')).toBe(true);
    expect(isActiveOn(state, '2026-01-01')).toBe(false);
    expect(isActiveOn(stateOf([]), '2024-06-01')).toBe(false);
  });

  it('attributes a day to the unit the team had then', () => {
    expect(unitOn(state, '2025-06-30')).toEqual({ communeCode: '20194', village: 'Tổ 5', from: '2024-01-10' });
    expect(unitOn(state, '2025-07-01')).toEqual({ communeCode: '20200', village: 'Tổ 5', from: '2025-07-01' });
    expect(unitOn(state, '2023-12-31')).toBeUndefined();
  });
});

describe('team composition (reported, never enforced)', () => {
  it('has no issue for 4 to 9 members with a leader', () => {
    expect(teamCompositionIssues(teamOf(4))).toEqual([]);
    expect(teamCompositionIssues(teamOf(9))).toEqual([]);
  });

  it('flags too few, too many and a missing leader', () => {
    expect(teamCompositionIssues(teamOf(3))).toEqual([{ code: 'TOO_FEW_MEMBERS', members: 3, minimum: 4 }]);
    expect(teamCompositionIssues(teamOf(10))).toEqual([{ code: 'TOO_MANY_MEMBERS', members: 10, maximum: 9 }]);
    expect(teamCompositionIssues(teamOf(5, false))).toEqual([{ code: 'NO_LEADER' }]);
  });

  it('asks at least 7 members of a team in Đà Nẵng (province 48), with no upper bound', () => {
    expect(teamCompositionIssues(teamOf(6), { provinceCode: '48' })).toEqual([{ code: 'TOO_FEW_MEMBERS', members: 6, minimum: 7 }]);
    expect(teamCompositionIssues(teamOf(12), { provinceCode: '48' })).toEqual([]);
  });

  it('counts only members still in the team, or those in it on a given day', () => {
    const state = stateOf([established, joined('m1', 'leader'), joined('m2'), joined('m3'), joined('m4'), left('m4', '2024-06-30')]);
    expect(teamCompositionIssues(state)).toEqual([{ code: 'TOO_FEW_MEMBERS', members: 3, minimum: 4 }]);
    expect(teamCompositionIssues(state, { on: '2024-06-30' })).toEqual([]);
  });

  it('does not report on a team that does not exist or was dissolved', () => {
    expect(teamCompositionIssues(stateOf([]))).toEqual([]);
    expect(teamCompositionIssues(stateOf([established, { type: 'TeamDissolved', schemaVersion: v1, data: { teamId, reason: 'x', on: '2024-02-01' } }]))).toEqual([]);
  });
});
