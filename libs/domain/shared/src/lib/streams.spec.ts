import { activityStream, criteriaStream, evaluationStream, LEDGER_STREAM, rankingStream, teamStream, unitStream } from './streams';

describe('stream names', () => {
  it('names registry, unit, criteria, evaluation and ledger streams', () => {
    expect(teamStream('t-42')).toBe('team-t-42');
    expect(unitStream('26734')).toBe('unit-26734');
    expect(criteriaStream('cs-2026')).toBe('criteria-cs-2026');
    expect(evaluationStream('run-7')).toBe('evaluation-run-7');
    expect(rankingStream({ criteriaCode: 'cs-2026', level: 'team', areaLevel: 'province', areaCode: '82', period: '2026-Q1' })).toBe('ranking-cs-2026.team.province.82.2026-Q1');
    expect(() => rankingStream({ criteriaCode: 'cs 2026', level: 'team', areaLevel: 'province', areaCode: '82', period: '2026-Q1' })).toThrow('criteriaCode must be an identifier');
    expect(LEDGER_STREAM).toBe('ledger');
  });

  it('buckets activities by the month of occurredAt in its own offset', () => {
    expect(activityStream('t1', '2026-03-31T23:30:00+07:00')).toBe('activity-t1-2026-03');
    // 2026-03-31T23:30+07:00 is 16:30Z: still March for a +07:00 device; a Z-stamped instant says its own month.
    expect(activityStream('t1', '2026-03-31T18:00:00Z')).toBe('activity-t1-2026-03');
    expect(activityStream('t1', '2026-04-01T00:10:00+07:00')).toBe('activity-t1-2026-04');
  });

  it('refuses ids and timestamps that would make an ambiguous or unsafe stream name', () => {
    expect(() => teamStream('a b')).toThrow(expect.objectContaining({ code: 'INVALID_ID', field: 'teamId' }));
    expect(() => teamStream('')).toThrow(expect.objectContaining({ code: 'INVALID_ID' }));
    expect(() => unitStream('48/1')).toThrow(expect.objectContaining({ code: 'INVALID_ID', field: 'unitCode' }));
    expect(() => activityStream('t1', '2026-03-31')).toThrow(expect.objectContaining({ code: 'INVALID_TIMESTAMP' }));
  });
});
