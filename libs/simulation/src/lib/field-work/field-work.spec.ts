import { daysEndingOn, planActivities, planTeams } from './field-work';

const ref = (identifier: string) => `ref(${identifier})`;
const teams = planTeams({ provinceCode: '82', communeCodes: ['28249', '28252'], teamsPerCommune: 3, establishedOn: '2026-01-05', seed: 7 });

describe('generated field work', () => {
  it('plans teams of 4 to 9 members with exactly one leader and one deputy', () => {
    expect(teams).toHaveLength(6);
    for (const team of teams) {
      expect(team.members.length).toBeGreaterThanOrEqual(4);
      expect(team.members.length).toBeLessThanOrEqual(9);
      expect(team.members.filter((m) => m.role === 'leader')).toHaveLength(1);
      expect(team.members.filter((m) => m.role === 'deputy')).toHaveLength(1);
    }
  });

  it('is reproducible from its seed and different under another', () => {
    const days = daysEndingOn('2026-03-06', 5);
    const plan = (seed: number) => planActivities({ teams, days, perTeamPerDay: 6, seed, ref });
    expect(plan(1)).toEqual(plan(1));
    expect(plan(1)).not.toEqual(plan(2));
  });

  it('records in office hours, by members of the team, with refs from the given function, never after notAfter', () => {
    const days = daysEndingOn('2026-03-06', 3);
    const notAfter = Date.parse('2026-03-06T12:00:00+07:00');
    const activities = planActivities({ teams, days, perTeamPerDay: 10, seed: 3, ref, notAfter });
    expect(activities.length).toBeGreaterThan(100);
    for (const { body, kind } of activities) {
      const members = teams.find((t) => t.teamId === body.teamId)?.members ?? [];
      expect(body.memberIds.every((id) => members.some((m) => m.memberId === id))).toBe(true);
      const hhmm = body.occurredAt.slice(11, 16);
      expect(hhmm >= '07:30' && hhmm <= '17:00').toBe(true);
      expect(Date.parse(body.occurredAt)).toBeLessThanOrEqual(notAfter);
      const refField = { 'household-visit': 'householdRef', 'app-install-assist': 'citizenRef', 'digital-service-assist': 'subjectRef', 'training-enrollment': 'traineeRef', 'training-completion': 'traineeRef' }[kind];
      expect(String(body[refField])).toMatch(/^ref\(/);
    }
    expect(new Set(activities.map((a) => a.kind)).size).toBe(5);
    expect(new Set(activities.map((a) => a.body.activityId)).size).toBe(activities.length);
  });

  it('plans a team the same way whatever else is planned with it', () => {
    const alone = planTeams({ provinceCode: '82', communeCodes: ['28252'], teamsPerCommune: 1, establishedOn: '2026-01-05', seed: 7 });
    expect(alone[0]).toEqual(teams.find((t) => t.teamId === 'sim-28252-1'));
  });

  it('gives an activity id the same content whatever the cut-off', () => {
    const days = daysEndingOn('2026-03-06', 2);
    const early = planActivities({ teams, days, perTeamPerDay: 6, seed: 9, ref, notAfter: Date.parse('2026-03-06T10:00:00+07:00') });
    const late = planActivities({ teams, days, perTeamPerDay: 6, seed: 9, ref });
    const lateById = new Map(late.map((a) => [a.body.activityId, a]));
    expect(late.length).toBeGreaterThan(early.length);
    for (const activity of early) expect(lateById.get(activity.body.activityId)).toEqual(activity);
  });

  it('counts days backwards across a month end', () => {
    expect(daysEndingOn('2026-03-02', 3)).toEqual(['2026-02-28', '2026-03-01', '2026-03-02']);
  });
});
