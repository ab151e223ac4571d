import { loadAdminUnits } from '@cdt/admin-units';
import { openEventStore, START, type Checkpoint, type ManagedEventStore, type RecordedEvent } from '@cdt/event-store';
import { appendFieldLog, fieldLog } from '../testing/field-log';
import { AuditHistory } from './audit-history';

/**
 * The global log filtered by administrative unit, paged by checkpoint. Teams of the field log: tg-a in
 * 28249, tg-b in 28252 (both district 815 of Tiền Giang, 82, before the reform; 28252 went into 28249),
 * tg-c in 28261, ct-a in 31117 (Cần Thơ, 92; into 31120). All move on 2025-07-01 and visit in August.
 */
describe('AuditHistory.log by unit (embedded store)', () => {
  let store: ManagedEventStore;
  let history: AuditHistory;
  let retractionId: string;
  beforeAll(async () => {
    store = await openEventStore({ kind: 'memory' });
    const log = fieldLog();
    retractionId = log.retracted.retractionId;
    await appendFieldLog(store, log);
    history = new AuditHistory(store, loadAdminUnits());
  });
  afterAll(() => store.close());

  /** Every page from the start with a small page size: no event twice, checkpoints always moving. */
  const readAll = async (unitCode: string, extra: { types?: string[] } = {}): Promise<RecordedEvent[]> => {
    const events: RecordedEvent[] = [];
    let after: Checkpoint = START;
    for (let pages = 0; ; pages++) {
      const page = await history.log({ after, limit: 4, unitCode, ...extra });
      events.push(...page.events);
      if (page.atHead) break;
      expect(page.next).not.toEqual(after);
      after = page.next;
      expect(pages).toBeLessThan(100);
    }
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    return events;
  };
  const teamsOf = (events: RecordedEvent[]) => [...new Set(events.map((e) => String(e.data['teamId'] ?? e.data['unitCode'])))].sort();
  const summary = (events: RecordedEvent[]) => events.map((e) => `${String(e.data['teamId'] ?? e.data['unitCode'])}:${e.type}`);

  it('a province keeps every event of its teams and its targets, and nothing of another province', async () => {
    const events = await readAll('82');
    expect(teamsOf(events)).toEqual(['82', 'tg-a', 'tg-b', 'tg-c']);
    // 3 teams × (3 registry facts + relocation + post-reform visit) + 4, 5, 6 activities + 1 retraction + the target
    expect(events).toHaveLength(3 * 5 + 4 + 5 + 6 + 1 + 1);
    expect(events.map((e) => e.eventId)).toContain(retractionId);
    expect(teamsOf(await readAll('92'))).toEqual(['ct-a']);
  });

  it('a pre-2025 district holds events up to the reform only, a relocation included on its old side', async () => {
    const events = await readAll('815');
    expect(teamsOf(events)).toEqual(['tg-a', 'tg-b', 'tg-c']);
    expect(events.filter((e) => e.type === 'HouseholdVisitRecorded' && String(e.data['occurredAt']) >= '2025-07')).toEqual([]);
    expect(events.filter((e) => e.type === 'TeamRelocated')).toHaveLength(3);
  });

  it('a merged commune: the old one until it moved, the new one with the move and what followed', async () => {
    const old = summary(await readAll('28252'));
    expect(old.filter((s) => s.startsWith('tg-b:'))).toHaveLength(old.length);
    expect(old).toEqual(expect.arrayContaining(['tg-b:TeamEstablished', 'tg-b:TeamRelocated']));
    expect(old.filter((s) => s === 'tg-b:HouseholdVisitRecorded')).toHaveLength(4); // March only, not August
    const merged = summary(await readAll('28249'));
    expect(merged.filter((s) => s.startsWith('tg-b:'))).toEqual(['tg-b:TeamRelocated', 'tg-b:HouseholdVisitRecorded']);
    expect(merged.filter((s) => s.startsWith('tg-a:')).length).toBeGreaterThan(8);
    expect(merged.some((s) => s.startsWith('tg-c:') || s.startsWith('ct-a:'))).toBe(false);
  });

  it('combines with the type filter', async () => {
    const events = await readAll('82', { types: ['TeamRelocated'] });
    expect(summary(events)).toEqual(['tg-a:TeamRelocated', 'tg-b:TeamRelocated', 'tg-c:TeamRelocated']);
  });
});
