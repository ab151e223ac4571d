import { isCalendarDate, isTimestamp, requireTimestamp, timestampToEpochMs, vietnamDate } from './time';

describe('timestamps and dates', () => {
  it('accepts ISO-8601 with an offset, with or without seconds and fractions', () => {
    expect(timestampToEpochMs('2026-03-02T09:00:00+07:00')).toBe(Date.UTC(2026, 2, 2, 2));
    expect(timestampToEpochMs('2026-03-02T02:00Z')).toBe(Date.UTC(2026, 2, 2, 2));
    expect(timestampToEpochMs('2026-03-02T02:00:00.123456Z')).toBe(Date.UTC(2026, 2, 2, 2, 0, 0, 123));
    expect(timestampToEpochMs('2026-03-01T21:00:00-05:00')).toBe(Date.UTC(2026, 2, 2, 2));
  });

  it.each(['2026-03-02T09:00:00', '2026-02-30T09:00:00+07:00', '2026-03-02 09:00:00+07:00', '2026-03-02T24:00:00Z', 'yesterday'])(
    'rejects %s (no offset, impossible date, wrong shape)',
    (value) => {
      expect(isTimestamp(value)).toBe(false);
      expect(() => requireTimestamp(value, 'occurredAt')).toThrow(
        expect.objectContaining({ code: 'INVALID_TIMESTAMP', field: 'occurredAt' }),
      );
    },
  );

  it('validates calendar dates including leap years', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
  });

  it('reads the Vietnam calendar day whatever offset the device sent', () => {
    expect(vietnamDate('2026-03-02T16:59:59Z')).toBe('2026-03-02');
    expect(vietnamDate('2026-03-02T17:00:00Z')).toBe('2026-03-03');
    expect(vietnamDate('2026-03-02T23:59:00+07:00')).toBe('2026-03-02');
    expect(vietnamDate('2026-03-02')).toBe('2026-03-02');
  });
});
