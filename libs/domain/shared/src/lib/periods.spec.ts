import { parsePeriod, periodContains, periodKey, periodKeys, periodKindOf } from './periods';

describe('KPI periods in Vietnam time', () => {
  it('keys a timestamp by day, ISO week, month, quarter and year', () => {
    expect(periodKeys('2026-03-02T09:00:00+07:00')).toEqual({
      day: '2026-03-02',
      week: '2026-W10',
      month: '2026-03',
      quarter: '2026-Q1',
      year: '2026',
    });
  });

  it('uses the day in +07:00: 17:30Z on 31 December is already next year in Vietnam', () => {
    expect(periodKeys('2025-12-31T17:30:00Z')).toEqual({
      day: '2026-01-01',
      week: '2026-W01',
      month: '2026-01',
      quarter: '2026-Q1',
      year: '2026',
    });
  });

  it.each([
    ['2021-01-03', '2020-W53'], // Sunday after a 53-week year
    ['2021-01-04', '2021-W01'],
    ['2024-12-30', '2025-W01'], // Monday that belongs to next ISO year
    ['2026-12-31', '2026-W53'],
    ['2027-01-01', '2026-W53'],
  ])('ISO week of %s is %s', (date, week) => expect(periodKey('week', date)).toBe(week));

  it('knows each quarter', () => {
    expect(['2026-01-15', '2026-04-01', '2026-09-30', '2026-10-01'].map((d) => periodKey('quarter', d))).toEqual([
      '2026-Q1',
      '2026-Q2',
      '2026-Q3',
      '2026-Q4',
    ]);
  });

  it('parses period keys into their first and last day', () => {
    expect(parsePeriod('2026')).toEqual({ kind: 'year', first: '2026-01-01', last: '2026-12-31' });
    expect(parsePeriod('2026-Q3')).toEqual({ kind: 'quarter', first: '2026-07-01', last: '2026-09-30' });
    expect(parsePeriod('2024-02')).toEqual({ kind: 'month', first: '2024-02-01', last: '2024-02-29' });
    expect(parsePeriod('2026-W01')).toEqual({ kind: 'week', first: '2025-12-29', last: '2026-01-04' });
    expect(parsePeriod('2026-09-02')).toEqual({ kind: 'day', first: '2026-09-02', last: '2026-09-02' });
  });

  it.each(['2026-Q5', '2026-13', '2025-W53', '2026-W00', '26', '2026-02-30', 'Q3-2026'])(
    'rejects the malformed period %s',
    (key) => expect(periodKindOf(key)).toBeUndefined(),
  );

  it('tells whether an instant falls in a period, on its Vietnam day', () => {
    expect(periodContains('2026-Q3', '2026-09-30T23:59:00+07:00')).toBe(true);
    expect(periodContains('2026-Q3', '2026-09-30T17:00:00Z')).toBe(false);
    expect(() => periodContains('2026-Q9', '2026-09-30T10:00:00+07:00')).toThrow(
      expect.objectContaining({ code: 'INVALID_PERIOD' }),
    );
  });
});
