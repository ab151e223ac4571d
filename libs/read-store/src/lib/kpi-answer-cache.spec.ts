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

/** A checkpoint the test moves by hand, and a computation it can hold open (a slow model-2 drill-down). */
class Gate {
  at: Checkpoint | undefined = { transactionId: '10', globalPosition: '1' };
  computed = 0;
  private opened: (() => void)[] = [];

  readonly source = { checkpoint: async () => this.at };

  move(position: string): void {
    this.at = { transactionId: '10', globalPosition: position };
  }

  /** A computation answering the position it started at, held until `open()`; `during` runs while it is held. */
  compute = (during?: () => void) => async (): Promise<string> => {
    this.computed += 1;
    const answer = `answer at ${this.at?.globalPosition ?? '-'}`;
    during?.();
    await new Promise<void>((resolve) => this.opened.push(resolve));
    return answer;
  };

  open(): void {
    for (const resolve of this.opened.splice(0)) resolve();
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** One asker of 'q' whose computation is let through: asked, let start, opened, answered. */
const askThrough = async (cache: KpiAnswerCache, gate: Gate, options?: { maxStaleMs?: number }) => {
  const asked = cache.answerAt(gate.source, 'q', gate.compute(), options);
  await settle();
  gate.open();
  return asked;
};

describe('KpiAnswerCache while the projection moves', () => {
  it('computes a question once for 50 clients asking at the same checkpoint', async () => {
    const gate = new Gate();
    const cache = new KpiAnswerCache();
    const asked = Array.from({ length: 50 }, () => cache.answerAt(gate.source, 'drill-down', gate.compute()));
    await settle();
    gate.open();
    const answers = await Promise.all(asked);
    expect(gate.computed).toBe(1);
    expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(new Set([JSON.stringify({ answer: 'answer at 1', at: gate.at, exact: true, stale: false })]));
  });

  it('serves the previous checkpoint\'s answer, labelled with it, within maxStaleMs, while the next is computed once', async () => {
    let now = 1_000;
    const gate = new Gate();
    const cache = new KpiAnswerCache({ maxStaleMs: 2_000, now: () => now });
    await askThrough(cache, gate);

    gate.move('2');
    now += 1_500;
    const stale = await Promise.all([1, 2, 3].map(() => cache.answerAt(gate.source, 'q', gate.compute())));
    expect(stale.map((a) => [a.answer, a.at?.globalPosition, a.stale])).toEqual([1, 2, 3].map(() => ['answer at 1', '1', true]));
    await settle();
    expect(gate.computed).toBe(2);
    gate.open();
    await settle();
    expect(await cache.answerAt(gate.source, 'q', gate.compute())).toEqual({ answer: 'answer at 2', at: gate.at, exact: true, stale: false });
    expect(gate.computed).toBe(2);
  });

  it('waits for a fresh answer once the cached one is older than maxStaleMs, or when the caller allows no staleness', async () => {
    let now = 0;
    const gate = new Gate();
    const cache = new KpiAnswerCache({ maxStaleMs: 2_000, now: () => now });
    await askThrough(cache, gate);

    gate.move('2');
    expect((await askThrough(cache, gate, { maxStaleMs: 0 })).answer).toBe('answer at 2');

    gate.move('3');
    now += 2_001;
    expect(await askThrough(cache, gate)).toEqual({ answer: 'answer at 3', at: gate.at, exact: true, stale: false });
  });

  it('never keeps an answer read while the checkpoint moved: it reads again, and after its attempts says it is not exact', async () => {
    const gate = new Gate();
    const cache = new KpiAnswerCache({ attempts: 2, maxStaleMs: 60_000 });
    let position = 1;
    const moving = gate.compute(() => gate.move(String(++position)));
    const asked = cache.answerAt(gate.source, 'q', moving);
    for (let i = 0; i < 2; i++) {
      await settle();
      gate.open();
    }
    expect(await asked).toEqual({ answer: 'answer at 2', at: { transactionId: '10', globalPosition: '3' }, exact: false, stale: false });
    // Nothing was kept: the next asker, at a standing checkpoint, gets a computed, exact answer.
    expect(await askThrough(cache, gate)).toEqual({ answer: 'answer at 3', at: gate.at, exact: true, stale: false });
    expect(gate.computed).toBe(3);
  });

  it('does not serve a cached answer of a later checkpoint when the model is behind it (a version switched in)', async () => {
    const gate = new Gate();
    const cache = new KpiAnswerCache({ maxStaleMs: 60_000 });
    gate.move('5');
    await askThrough(cache, gate);
    gate.move('4');
    expect(await askThrough(cache, gate)).toEqual({ answer: 'answer at 4', at: gate.at, exact: true, stale: false });
  });

  it('keeps a later, exact answer over a slower one read while the model moved', async () => {
    const gate = new Gate();
    const cache = new KpiAnswerCache({ attempts: 1 });
    const early = cache.answerAt(gate.source, 'q', gate.compute());
    await settle();
    // The batch lands; a second client computes the later answer and finishes first.
    gate.move('2');
    expect((await cache.answerAt(gate.source, 'q', async () => 'answer at 2')).exact).toBe(true);
    gate.open();
    expect(await early).toEqual({ answer: 'answer at 1', at: gate.at, exact: false, stale: false });
    expect(await cache.answerAt(gate.source, 'q', gate.compute())).toEqual({ answer: 'answer at 2', at: gate.at, exact: true, stale: false });
    expect(gate.computed).toBe(1);
  });

  it('keeps the answer of the later checkpoint when one of an earlier checkpoint ends after it (the pointer moved back and forth across a version switch)', async () => {
    const gate = new Gate();
    const cache = new KpiAnswerCache();
    gate.move('4');
    const early = cache.answerAt(gate.source, 'q', gate.compute());
    await settle();
    gate.move('5');
    expect((await cache.answerAt(gate.source, 'q', async () => 'answer at 5')).answer).toBe('answer at 5');
    gate.move('4');
    gate.open();
    expect(await early).toEqual({ answer: 'answer at 4', at: gate.at, exact: true, stale: false });
    gate.move('5');
    expect((await cache.answerAt(gate.source, 'q', gate.compute())).answer).toBe('answer at 5');
    expect(gate.computed).toBe(1);
  });
});

interface SnapshotSource {
  checkpoint(): Promise<Checkpoint | undefined>;
  snapshot<T>(read: (store: SnapshotSource) => Promise<T>): Promise<{ result: T; checkpoint: Checkpoint | undefined }>;
}

/** The Gate's model with snapshots (as PostgreSQL gives): a read sees the checkpoint it started at, whatever lands meanwhile. */
class SnapshotGate extends Gate {
  snapshots = 0;

  readonly snapshotSource: SnapshotSource = {
    checkpoint: async () => this.at,
    snapshot: async (read) => {
      this.snapshots += 1;
      const checkpoint = this.at;
      return { result: await read(this.snapshotSource), checkpoint };
    },
  };
}

describe('KpiAnswerCache over a store with snapshots', () => {
  it('computes once, exact at the snapshot\'s checkpoint, when a batch lands during the read: no retry', async () => {
    const gate = new SnapshotGate();
    const cache = new KpiAnswerCache({ attempts: 5 });
    const asked = cache.answerAt(gate.snapshotSource, 'q', gate.compute(() => gate.move('2')));
    await settle();
    gate.open();
    expect(await asked).toEqual({ answer: 'answer at 1', at: { transactionId: '10', globalPosition: '1' }, exact: true, stale: false });
    expect([gate.computed, gate.snapshots]).toEqual([1, 1]);
    // Kept as the answer at 1: an asker at 2 computes the answer at 2, once.
    expect(await askThrough(cache, gate)).toEqual({ answer: 'answer at 2', at: gate.at, exact: true, stale: false });
    expect(gate.computed).toBe(2);
  });

  it('serves the earlier answer within maxStaleMs and refreshes it in one read however many batches land meanwhile', async () => {
    const gate = new SnapshotGate();
    const cache = new KpiAnswerCache({ maxStaleMs: 60_000 });
    const first = cache.answerAt(gate.snapshotSource, 'q', gate.compute());
    await settle();
    gate.open();
    await first;

    gate.move('2');
    let position = 2;
    const stale = await cache.answerAt(gate.snapshotSource, 'q', gate.compute(() => gate.move(String(++position))));
    expect([stale.answer, stale.stale]).toEqual(['answer at 1', true]);
    await settle();
    gate.open();
    await settle();
    // The refresh was overtaken by a batch (now at 3) and kept as the exact answer at 2: served as stale, not read again.
    const next = await cache.answerAt(gate.snapshotSource, 'q', gate.compute());
    expect([next.answer, next.at?.globalPosition, next.stale]).toEqual(['answer at 2', '2', true]);
    expect(gate.snapshots).toBe(3);
    expect(gate.computed).toBe(3);
  });

  it('keeps the later answer when a snapshot of an earlier checkpoint ends after it', async () => {
    const gate = new SnapshotGate();
    const cache = new KpiAnswerCache();
    const early = cache.answerAt(gate.snapshotSource, 'q', gate.compute());
    await settle();
    gate.move('2');
    expect((await cache.answerAt(gate.snapshotSource, 'q', async () => 'answer at 2')).answer).toBe('answer at 2');
    gate.open();
    expect(await early).toEqual({ answer: 'answer at 1', at: { transactionId: '10', globalPosition: '1' }, exact: true, stale: false });
    expect(await cache.answerAt(gate.snapshotSource, 'q', gate.compute())).toEqual({ answer: 'answer at 2', at: gate.at, exact: true, stale: false });
    expect(gate.computed).toBe(1);
  });
});
