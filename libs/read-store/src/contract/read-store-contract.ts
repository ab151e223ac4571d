import {
  applyDeltas,
  childrenOf,
  contributionsOf,
  emptyReadModel,
  figuresOf,
  projectBatch,
  projectorStateOf,
  type InMemoryReadModel,
  type ProjectionEvent,
} from '@cdt/domain-kpi';
import { figureUnder, figuresUnderOf, sortedFiguresUnder, type FiguresUnderQuery } from '../lib/figures-under';
import { KpiQueries } from '../lib/kpi-queries';
import { loadProjectorState, projectIntoStore } from '../lib/project-into-store';
import type { KpiReadStore } from '../lib/read-store.port';
import { PERIODS, PROBES, resolve, scenario } from './read-store-contract.fixtures';

export interface ReadStoreUnderTest {
  store: KpiReadStore;
  cleanup(): Promise<void>;
}

const oracle = (events: readonly ProjectionEvent[]): InMemoryReadModel => {
  const model = emptyReadModel();
  const { deltas } = projectBatch(projectorStateOf(model), events, { resolve, isApplied: () => false, contributionsOf: (t) => contributionsOf(model, t) });
  applyDeltas(model, deltas);
  return model;
};

const at = (position: number) => ({ transactionId: '100', globalPosition: String(position) });

/** Feeds events in batches of `size`, as the runner does, each with its own checkpoint. */
const feed = async (store: KpiReadStore, events: readonly ProjectionEvent[], size: number, from = 0): Promise<number> => {
  let state = await loadProjectorState(store);
  let position = from;
  for (let i = 0; i < events.length; i += size) {
    position += 1;
    ({ state } = await projectIntoStore(store, state, events.slice(i, i + size), at(position), resolve));
  }
  return position;
};

/**
 * The contract every KPI read store honours: the figures equal the in-memory reference model's for
 * any batching, a batch and its checkpoint land together or not at all, and a replayed batch is a no-op.
 */
export function kpiReadStoreContract(name: string, open: () => Promise<ReadStoreUnderTest>): void {
  describe(`KPI read store contract: ${name}`, () => {
    let subject: ReadStoreUnderTest;
    beforeEach(async () => {
      subject = await open();
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    const expectEqualToOracle = async (store: KpiReadStore, model: InMemoryReadModel) => {
      for (const view of ['as-recorded', 'current'] as const) {
        for (const { level, keys } of PROBES) {
          for (const period of PERIODS) {
            expect({ view, level, period, figures: await store.figures(view, level, keys, period) }).toEqual({ view, level, period, figures: figuresOf(model, view, level, keys, period) });
          }
        }
        for (const [level, key, child] of [['nation', 'VN', 'province'], ['province', '10', 'commune'], ['province', '30', 'team'], ['district', '101', 'village']] as const) {
          for (const period of ['2024', '2025-08']) {
            expect(await store.children(view, level, key, child, period)).toEqual(childrenOf(model, view, level, key, child, period));
          }
        }
      }
    };

    it.each([1, 3, 50])('holds the same figures as the reference model when fed in batches of %i', async (size) => {
      const events = scenario();
      await feed(subject.store, events, size);
      await expectEqualToOracle(subject.store, oracle(events));
    });

    it('skips a batch at or before its checkpoint, and a redelivered event in a later batch', async () => {
      const events = scenario();
      const position = await feed(subject.store, events, 10);
      expect(await subject.store.checkpoint()).toEqual(at(position));
      const state = await loadProjectorState(subject.store);
      // Same batch again under an old checkpoint: refused as a whole.
      expect((await projectIntoStore(subject.store, state, events.slice(0, 10), at(1), resolve)).applied).toBe(false);
      // The same events under a new checkpoint (a redelivery): accepted, and counted nowhere twice.
      expect((await projectIntoStore(subject.store, state, events.slice(5, 15), at(position + 1), resolve)).applied).toBe(true);
      await expectEqualToOracle(subject.store, oracle(events));
      expect(await subject.store.checkpoint()).toEqual(at(position + 1));
    });

    it('writes nothing, not even the checkpoint, when a batch fails half-way', async () => {
      const events = scenario();
      await feed(subject.store, events.slice(0, 10), 10);
      const { deltas } = projectBatch(await loadProjectorState(subject.store), events.slice(10), { resolve, isApplied: () => false, contributionsOf: () => ({ counts: [], refs: [] }) });
      // Refcounts go in first; a count the database refuses must take them back with it.
      const poisoned = { ...deltas, counts: [...deltas.counts, { ...deltas.counts[0], delta: Number.NaN }] };
      await expect(subject.store.applyBatch(poisoned, at(2))).rejects.toThrow();
      expect(await subject.store.checkpoint()).toEqual(at(1));
      await feed(subject.store, events.slice(10), 100, 1);
      await expectEqualToOracle(subject.store, oracle(events));
    });

    it('reads figures under a parent in bulk exactly as the reference model does (flows at each period, stocks up to it, targets)', async () => {
      const events = scenario();
      await feed(subject.store, events, 4);
      const model = oracle(events);
      const indicators = ['household-visits', 'app-install.vneid', 'active-teams', 'dvctt-dossiers', 'teams-registered', 'members-registered', 'youth-union-members', 'commune-coverage', 'no-such-code'];
      const targets = ['app-install.vneid', 'dvctt-dossiers'];
      const periods = ['2024', '2024-Q1', '2024-03', '2024-W10', '2024-W09', '2025', '2025-08', '2025-Q3', '2026-Q1'];
      const parents = [['nation', 'VN'], ['province', '10'], ['province', '30'], ['district', '101'], ['commune', '10002'], ['village', '10001/Thôn 1'], ['team', 't1']] as const;
      let nonEmpty = 0;
      for (const view of ['as-recorded', 'current'] as const) {
        for (const [underLevel, unitKey] of parents) {
          for (const level of ['team', 'commune', 'province', 'nation'] as const) {
            const query: FiguresUnderQuery = { view, under: { level: underLevel, unitKey }, level, periods, indicators, targets };
            const expected = figuresUnderOf(model, query);
            if (expected.units.length > 0) nonEmpty++;
            expect({ query, ...sortedFiguresUnder(await subject.store.figuresUnder(query)) }).toEqual({ query, ...expected });
          }
        }
      }
      // The comparison is not vacuous: province 10's units hold installs, the relocated t1 sits under 30 today.
      expect(nonEmpty).toBeGreaterThan(20);
      const t1 = figuresUnderOf(model, { view: 'current', under: { level: 'province', unitKey: '30' }, level: 'team', periods: ['2025-Q3'], indicators, targets });
      const t1Unit = t1.units.find((unit) => unit.unitKey === 't1');
      expect(t1Unit && [figureUnder(t1, t1Unit, '2025-Q3', 'dvctt-dossiers'), figureUnder(t1, t1Unit, '2025-Q3', 'members-registered')]).toEqual([1, 2]);
      const province = figuresUnderOf(model, { view: 'as-recorded', under: { level: 'nation', unitKey: 'VN' }, level: 'province', periods: ['2024'], indicators, targets });
      // One period, targets ['app-install.vneid', 'dvctt-dossiers']: province 10 has the first only.
      expect(province.units.filter((unit) => unit.targets.some((value) => value !== null)).map((unit) => [unit.unitKey, unit.targets])).toEqual([['10', [4, null]]]);
    });

    it('answers the query API: attainment, ranked children, a time series, compared units', async () => {
      await feed(subject.store, scenario(), 7);
      const queries = new KpiQueries(subject.store, (level, unitKey) => (level === 'province' && unitKey === '10' ? 2 : undefined));
      const province = await queries.unitIndicators('as-recorded', { level: 'province', unitKey: '10' }, '2024');
      const byCode = Object.fromEntries(province.indicators.map((i) => [i.code, i]));
      // Six installs in province 10 (one of them redelivered, counted once) against a target of 4.
      expect(byCode['app-install.vneid']).toMatchObject({ value: 6, target: 4, attainmentPct: 150 });
      expect(byCode['household-visits'].value).toBe(1);
      expect(byCode['households-reached'].value).toBe(1);
      expect(byCode['commune-coverage']).toMatchObject({ numerator: 2, denominator: 2, value: 1 });
      expect(byCode['youth-union-share']).toMatchObject({ numerator: 1, denominator: 2, value: 0.5 });
      const current = await queries.unitIndicators('current', { level: 'province', unitKey: '30' }, '2025');
      expect(current.indicators.find((i) => i.code === 'dvctt-dossiers')).toMatchObject({ value: 1, target: 2, attainmentPct: 50 });
      expect(await queries.rankChildren('as-recorded', { level: 'nation', unitKey: 'VN' }, 'province', 'app-install.vneid', '2024')).toEqual([
        { rank: 1, unitKey: '10', value: 6, attainmentPct: 150 },
        { rank: 1, unitKey: '20', value: 6 },
      ]);
      const series = await queries.timeSeries('current', { level: 'province', unitKey: '30' }, 'household-visits', '2024-01', '2024-04');
      expect(series.map((p) => [p.period, p.value.value])).toEqual([['2024-01', 0], ['2024-02', 0], ['2024-03', 1], ['2024-04', 0]]);
      const compared = await queries.compareUnits('current', 'province', ['10', '30'], '2024');
      expect(compared.map((u) => u.indicators.find((i) => i.code === 'household-visits')?.value)).toEqual([0, 1]);
    });
  });
}
