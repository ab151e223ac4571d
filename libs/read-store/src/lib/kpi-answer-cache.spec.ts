import type { Checkpoint } from '@cdt/event-store';
import type { Level, UnitFigures, View } from '@cdt/domain-kpi';
import { KpiAnswerCache, KpiQueries } from './kpi-queries';
import type { KpiReadStore } from './read-store.port';

/** A store whose figures the test moves along with the checkpoint, as applyBatch does in one transaction. */
class MovingStore implements Partial<KpiReadStore> {
  at: Checkpoint = { transactionId: '10', globalPosition: '1' };
  households: Record<string, number> = { '28249': 3, '28252': 5 };
  figureReads = 0;

  async checkpoint(): Promise<Checkpoint> {
    return this.at;
  }
  async children(_view: View, _level: Level, _unitKey: string, _childLevel: Level, _period: string): Promise<string[]> {
    return Object.keys(this.households).sort();
  }
  async figures(_view: View, _level: Level, unitKeys: readonly string[], _period: string): Promise<UnitFigures[]> {
    this.figureReads += 1;
    return unitKeys.map((unitKey) => ({ unitKey, values: { 'households-reached': this.households[unitKey] ?? 0 }, targets: {} }));
  }
  /** What a batch does: new figures and a later checkpoint, together. */
  land(households: Record<string, number>, position: string): void {
    this.households = households;
    this.at = { transactionId: '11', globalPosition: position };
  }
}

const drillDown = (queries: KpiQueries) => queries.rankChildren('current', { level: 'province', unitKey: '82' }, 'commune', 'households-reached', '2025-07');

describe('KpiAnswerCache', () => {
  it('answers a repeated drill-down from the cache while the checkpoint stands, and afresh once a batch moves it', async () => {
    const store = new MovingStore();
    const queries = new KpiQueries(store as unknown as KpiReadStore, undefined, new KpiAnswerCache());

    const first = await drillDown(queries);
    expect(first.map((u) => [u.unitKey, u.value])).toEqual([['28252', 5], ['28249', 3]]);
    await drillDown(queries);
    expect(store.figureReads).toBe(1);

    store.land({ '28249': 9, '28252': 5 }, '2');
    const after = await drillDown(queries);
    expect(after.map((u) => [u.unitKey, u.value])).toEqual([['28249', 9], ['28252', 5]]);
    expect(store.figureReads).toBe(2);
  });

  it('keeps questions apart: another period or indicator is computed, not served from the cache', async () => {
    const store = new MovingStore();
    const queries = new KpiQueries(store as unknown as KpiReadStore, undefined, new KpiAnswerCache());
    await drillDown(queries);
    await queries.rankChildren('current', { level: 'province', unitKey: '82' }, 'commune', 'households-reached', '2025-08');
    await queries.rankChildren('as-recorded', { level: 'province', unitKey: '82' }, 'commune', 'households-reached', '2025-07');
    expect(store.figureReads).toBe(3);
  });

  it('evicts the oldest answer beyond its size', async () => {
    const store = new MovingStore();
    const queries = new KpiQueries(store as unknown as KpiReadStore, undefined, new KpiAnswerCache(1));
    await drillDown(queries);
    await queries.rankChildren('current', { level: 'province', unitKey: '82' }, 'commune', 'households-reached', '2025-08');
    await drillDown(queries);
    expect(store.figureReads).toBe(3);
  });
});
