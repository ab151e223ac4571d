import { vietnamDate } from '@cdt/domain-shared';
import { ref, resolve, visit } from '../kpi.fixtures';
import { emptyModel2, model2Context, model2StateOf } from './in-memory-model2';
import { projectBatchModel2 } from './projector';

/**
 * The projector reads the day of a +07:00 timestamp from its date instead of parsing it; every other
 * form goes through vietnamDate. Both must give vietnamDate's day, and an invalid timestamp must fail
 * the same way.
 */
const dayOfFact = (occurredAt: string): string => {
  const model = emptyModel2();
  const { deltas } = projectBatchModel2(model2StateOf(model), [visit({ teamId: 't1', communeCode: '00004', occurredAt }, ref(1))], model2Context(model, resolve));
  return deltas.factsInserted[0].day;
};

describe('KPI model 2 activity days', () => {
  it.each([
    '2024-03-02T09:00:00+07:00',
    '2024-03-02T23:59:59.999+07:00',
    '2024-03-02T00:00+07:00',
    '2024-12-31T23:30:00+07:00',
    '2024-03-02T20:00:00Z',
    '2024-03-02T16:59:59Z',
    '2024-03-02T23:00:00+05:30',
    '2024-03-03T00:30:00+08:00',
    '2024-02-29T10:00:00+07:00',
    '2024-03-02',
  ])('%s falls on vietnamDate’s day', (occurredAt) => {
    expect(dayOfFact(occurredAt)).toBe(vietnamDate(occurredAt));
  });

  it.each(['2023-02-29T10:00:00+07:00', '2024-13-01T10:00:00+07:00', '2024-03-02T24:00:00+07:00', '2024-03-02T10:60:00+07:00'])(
    '%s is rejected as vietnamDate rejects it',
    (occurredAt) => {
      expect(() => vietnamDate(occurredAt)).toThrow();
      expect(() => dayOfFact(occurredAt)).toThrow();
    },
  );
});
