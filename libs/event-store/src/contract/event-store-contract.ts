import { EventIdConflictError, EventStore, ProjectedEvent, ReadAllOptions, ReadAllResult, RecordedEvent, START, WrongExpectedVersionError } from '../lib/event-store.port';
import type { Upcaster } from '../lib/upcasting';
import { compareCheckpoints } from '../lib/event-rows';
import { verifyStreamChain } from '../lib/hash-chain';
import { CONTRACT_UPCASTERS, eventually, events, newEvent, readAllPages, uniquePrefix, untilVisible } from './event-store-contract.fixtures';

export interface EventStoreUnderTest {
  store: EventStore;
  cleanup(): Promise<void>;
}

/**
 * The behaviour every event-store adapter owes its callers (ARCHITECTURE.md "Event store contract").
 * The factory must build the store with the given upcasters.
 */
export function eventStoreContract(name: string, factory: (options: { upcasters: Upcaster[] }) => Promise<EventStoreUnderTest>): void {
  describe(`event store contract: ${name}`, () => {
    let subject: EventStoreUnderTest;
    let store: EventStore;
    beforeAll(async () => {
      subject = await factory({ upcasters: CONTRACT_UPCASTERS });
      store = subject.store;
    });
    afterAll(async () => subject?.cleanup());

    describe('append and optimistic concurrency', () => {
      it('numbers a new stream from 1 and reports the next expected version', async () => {
        const stream = `${uniquePrefix('new')}1`;
        const result = await store.append(stream, events(3), 'no-stream');
        expect(result).toMatchObject({ streamName: stream, nextExpectedVersion: 3, duplicate: false });
        expect(result.events.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
        const positions = result.events.map((e) => e.position);
        expect(compareCheckpoints(positions[0], positions[1])).toBeLessThan(0);
        expect(compareCheckpoints(positions[1], positions[2])).toBeLessThan(0);
      });

      it('appends at the expected version and refuses a stale one, naming the actual version', async () => {
        const stream = `${uniquePrefix('stale')}1`;
        await store.append(stream, events(2), 0);
        await expect(store.append(stream, events(1), 2)).resolves.toMatchObject({ nextExpectedVersion: 3 });
        const stale = store.append(stream, events(1), 2);
        await expect(stale).rejects.toBeInstanceOf(WrongExpectedVersionError);
        await expect(stale).rejects.toMatchObject({ actual: 3, expected: 2 });
        await expect(store.append(stream, events(1), 'no-stream')).rejects.toMatchObject({ code: 'WRONG_EXPECTED_VERSION', actual: 3 });
        await expect(store.append(`${uniquePrefix('absent')}1`, events(1), 4)).rejects.toMatchObject({ actual: 0 });
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it("'any' appends whatever the version, also when racing", async () => {
        const stream = `${uniquePrefix('any')}1`;
        await Promise.all(Array.from({ length: 8 }, () => store.append(stream, events(2), 'any')));
        const read = await store.readStream(stream);
        expect(read.map((e) => e.streamVersion)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      });

      it('lets exactly one of two racing appends at the same expected version win', async () => {
        const stream = `${uniquePrefix('race')}1`;
        const outcomes = await Promise.allSettled([store.append(stream, events(1), 0), store.append(stream, events(1), 0)]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(rejected?.reason).toBeInstanceOf(WrongExpectedVersionError);
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('rejects an empty append and an event id that is not a UUID', async () => {
        await expect(store.append(`${uniquePrefix('bad')}1`, [], 'any')).rejects.toThrow(/at least one event/);
        await expect(store.append(`${uniquePrefix('bad')}2`, [{ ...newEvent(), eventId: 'visit-1' }], 'any')).rejects.toThrow(/UUID/);
      });
    });

    describe('idempotency on event id', () => {
      it('answers a retried append with the original positions and writes nothing', async () => {
        const stream = `${uniquePrefix('retry')}1`;
        const batch = events(3);
        const first = await store.append(stream, batch, 'no-stream');
        await store.append(stream, events(1), 3);
        const headBefore = await store.head();
        const retry = await store.append(stream, batch, 'no-stream');
        expect(retry.duplicate).toBe(true);
        expect(retry.events).toEqual(first.events);
        expect(retry.nextExpectedVersion).toBe(4);
        expect(await store.readStream(stream)).toHaveLength(4);
        expect(await store.head()).toEqual(headBefore);
      });

      it('refuses a batch that is only partly a retry, or reuses an id of another stream, writing nothing', async () => {
        const stream = `${uniquePrefix('partial')}1`;
        const [a, b] = events(2);
        await store.append(stream, [a], 'no-stream');
        const partial = store.append(stream, [a, b], 'any');
        await expect(partial).rejects.toBeInstanceOf(EventIdConflictError);
        await expect(partial).rejects.toMatchObject({ eventIds: [a.eventId] });
        await expect(store.append(`${uniquePrefix('other')}1`, [a], 'any')).rejects.toBeInstanceOf(EventIdConflictError);
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('stores an event once when two appends of the same id race', async () => {
        const stream = `${uniquePrefix('dup-race')}1`;
        const event = newEvent();
        const results = await Promise.all([store.append(stream, [event], 'any'), store.append(stream, [event], 'any')]);
        expect(results.map((r) => r.duplicate).sort()).toEqual([false, true]);
        expect(results[0].events).toEqual(results[1].events);
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('lets one of two streams racing for the same event id have it; the other gets a conflict', async () => {
        const prefix = uniquePrefix('id-race');
        const event = newEvent();
        const outcomes = await Promise.allSettled([store.append(`${prefix}a`, [event], 'any'), store.append(`${prefix}b`, [event], 'any')]);
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        expect(won).toHaveLength(1);
        expect(outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')?.reason).toBeInstanceOf(EventIdConflictError);
        await untilVisible(store, won[0].value);
        expect(await readAllPages(store, prefix, 10)).toHaveLength(1);
      });
    });

    describe('looking events up by id', () => {
      it('finds stored events in any stream with their original positions, ignoring unknown ids', async () => {
        const prefix = uniquePrefix('by-id');
        const [a, b] = events(2);
        const c = newEvent();
        const first = await store.append(`${prefix}1`, [a, b], 'no-stream');
        const second = await store.append(`${prefix}2`, [c], 'no-stream');
        const found = await store.readEventsById([c.eventId, a.eventId.toUpperCase(), newEvent().eventId, 'not-a-uuid', a.eventId]);
        expect(found.map((e) => [e.eventId, e.streamName, e.streamVersion, e.position])).toEqual([
          [a.eventId, `${prefix}1`, 1, first.events[0].position],
          [c.eventId, `${prefix}2`, 1, second.events[0].position],
        ]);
        expect(found[0]).toMatchObject({ type: a.type, data: a.data, metadata: a.metadata });
        expect(await store.readEventsById([])).toEqual([]);
      });
    });

    describe('reading a stream', () => {
      it('reads from a version, with a limit, and as of an instant', async () => {
        const stream = `${uniquePrefix('read')}1`;
        await store.append(stream, events(3), 'no-stream');
        await new Promise((resolve) => setTimeout(resolve, 15));
        await store.append(stream, events(2), 3);
        const all = await store.readStream(stream);
        expect(all.map((e) => e.data['n'])).toEqual([1, 2, 3, 1, 2]);
        expect((await store.readStream(stream, { fromVersion: 3, limit: 2 })).map((e) => e.streamVersion)).toEqual([3, 4]);
        const asOf = await store.readStream(stream, { asOf: all[2].recordedAt });
        expect(asOf.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
        expect(await store.readStream(stream, { asOf: '2000-01-01T00:00:00Z' })).toEqual([]);
        expect(await store.readStream(`${uniquePrefix('none')}x`)).toEqual([]);
      });

      it('returns what was written: type, schema version, data, metadata, recordedAt', async () => {
        const stream = `${uniquePrefix('shape')}1`;
        const event = newEvent('ShapeChecked', { nested: { list: [1, 'hai', null], ok: true }, text: 'Tổ CNSCĐ' });
        await store.append(stream, [event], 'no-stream');
        const [read] = await store.readStream(stream);
        expect(read).toMatchObject({ eventId: event.eventId, type: 'ShapeChecked', schemaVersion: 1, data: event.data, metadata: event.metadata, streamName: stream, streamVersion: 1 });
        expect(Math.abs(Date.parse(read.recordedAt) - Date.now())).toBeLessThan(60_000);
      });
    });

    describe('reading the global log', () => {
      it('pages in commit order with a checkpoint, and filters by stream prefix and type', async () => {
        const prefix = uniquePrefix('all');
        for (let i = 0; i < 5; i++) {
          await untilVisible(store, await store.append(`${prefix}${i % 3}`, [...events(4), newEvent('Rare', { i })], 'any'));
        }
        const paged = await readAllPages(store, prefix, 7);
        expect(paged).toHaveLength(25);
        expect(new Set(paged.map((e) => e.eventId)).size).toBe(25);
        for (let i = 1; i < paged.length; i++) expect(compareCheckpoints(paged[i - 1].position, paged[i].position)).toBeLessThan(0);
        const rare = await readAllPages(store, prefix, 2, ['Rare']);
        expect(rare.map((e) => e.data['i'])).toEqual([0, 1, 2, 3, 4]);
      });

      it('moves the checkpoint past filtered-out events and reports the head', async () => {
        const prefix = uniquePrefix('skip');
        const appended = await store.append(`${prefix}1`, events(5), 'no-stream');
        const last = appended.events[4].position;
        await untilVisible(store, appended);
        expect(compareCheckpoints(await store.head(), last)).toBeGreaterThanOrEqual(0);
        const before = appended.events[0].position;
        const page = await store.readAll({ after: before, limit: 10, filter: { types: ['NoSuchType'] } });
        expect(page.events).toEqual([]);
        expect(compareCheckpoints(page.checkpoint, last)).toBeGreaterThanOrEqual(0);
        const fromStart = await store.readAll({ after: START, limit: 1 });
        expect(fromStart.events).toHaveLength(1);
      });
    });

    describe('the narrow read (what a projection needs)', () => {
      const narrowOf = ({ eventId, type, schemaVersion, data, position }: RecordedEvent): ProjectedEvent => ({ eventId, type, schemaVersion, data, position });
      const NARROW_KEYS = ['data', 'eventId', 'position', 'schemaVersion', 'type'];

      /** One page both ways: readAllNarrow must be readAll's page, events cut down to ProjectedEvent. */
      const samePage = async (options: ReadAllOptions): Promise<ReadAllResult<ProjectedEvent>> => {
        const whole = await store.readAll(options);
        const narrow = await store.readAllNarrow(options);
        expect(narrow).toEqual({ ...whole, events: whole.events.map(narrowOf) });
        for (const event of narrow.events) expect(Object.keys(event).sort()).toEqual(NARROW_KEYS);
        return narrow;
      };

      /** Pages to the head both ways from `options.after`; returns every event read and how many pages were not at the head. */
      const samePages = async (options: ReadAllOptions): Promise<{ events: ProjectedEvent[]; pagesBeforeHead: number }> => {
        const read: ProjectedEvent[] = [];
        let pagesBeforeHead = 0;
        for (let page = await samePage(options); ; page = await samePage({ ...options, after: page.checkpoint })) {
          read.push(...page.events);
          if (page.atHead) return { events: read, pagesBeforeHead };
          pagesBeforeHead += 1;
        }
      };

      it('returns the pages, checkpoints and head of readAll, with filters and after a checkpoint, upcast and raw', async () => {
        const prefix = uniquePrefix('narrow');
        let first: ProjectedEvent['position'] | undefined;
        for (let i = 0; i < 4; i++) {
          const appended = await store.append(`${prefix}${i % 2}`, [...events(3), newEvent('Rare', { i }), newEvent('ContractRenamed', { name: `N${i}` }, 1)], 'any');
          first ??= appended.events[0].position;
          await untilVisible(store, appended);
        }
        const byPrefix = await samePages({ limit: 7, filter: { streamPrefixes: [prefix] } });
        expect(byPrefix.events).toHaveLength(20);
        expect(byPrefix.pagesBeforeHead).toBeGreaterThan(0);
        const byType = await samePages({ limit: 3, filter: { streamPrefixes: [prefix], types: ['Rare', 'ContractRenamed'] } });
        expect(byType.events.map((e) => e.type)).toEqual(Array.from({ length: 4 }, () => ['Rare', 'ContractRenamed']).flat());
        expect(byType.events.filter((e) => e.type === 'ContractRenamed').map((e) => [e.schemaVersion, e.data])).toEqual(
          [0, 1, 2, 3].map((i) => [2, { fullName: `N${i}`, source: 'upcast' }]),
        );
        const raw = await samePages({ limit: 3, raw: true, filter: { streamPrefixes: [prefix], types: ['ContractRenamed'] } });
        expect(raw.events.map((e) => [e.schemaVersion, e.data])).toEqual([0, 1, 2, 3].map((i) => [1, { name: `N${i}` }]));
        // Unfiltered, after a checkpoint inside the appends: the rest of them, nothing of the earlier tests.
        const afterFirst = await samePages({ after: first, limit: 4 });
        expect(afterFirst.events.map((e) => e.eventId)).toEqual(byPrefix.events.slice(1).map((e) => e.eventId));
        // A filter nothing matches: no events, the checkpoint moved past the scan, the head reported.
        const none = await samePage({ after: first, limit: 10, filter: { types: ['NoSuchType'] } });
        expect(none.events).toEqual([]);
        expect(none.atHead).toBe(true);
        expect(compareCheckpoints(none.checkpoint, byPrefix.events[19].position)).toBe(0);
        // At the head already: an empty page that keeps the checkpoint.
        expect(await samePage({ after: none.checkpoint })).toEqual({ events: [], checkpoint: none.checkpoint, atHead: true });
      });

      it('subscribes narrow: the same batches as the log, only what a projection needs', async () => {
        const prefix = uniquePrefix('sub-narrow');
        await untilVisible(store, await store.append(`${prefix}1`, [...events(2), newEvent('ContractRenamed', { name: 'A' }, 1)], 'no-stream'));
        const received: ProjectedEvent[] = [];
        const subscription = store.subscribe({ narrow: true, filter: { streamPrefixes: [prefix] }, batchSize: 2, handler: async (batch) => void received.push(...batch) });
        await subscription.caughtUp();
        await store.append(`${prefix}2`, events(1), 'no-stream');
        await eventually(() => expect(received).toHaveLength(4), 5_000);
        await subscription.stop();
        expect(received).toEqual((await readAllPages(store, prefix, 10)).map(narrowOf));
        for (const event of received) expect(Object.keys(event).sort()).toEqual(NARROW_KEYS);
        expect(received[2]).toMatchObject({ type: 'ContractRenamed', schemaVersion: 2, data: { fullName: 'A' } });
      });
    });

    describe('subscriptions', () => {
      it('catches up, then receives live appends in order, exactly once', async () => {
        const prefix = uniquePrefix('sub');
        await untilVisible(store, await store.append(`${prefix}1`, events(3), 'no-stream'));
        const received: RecordedEvent[] = [];
        const subscription = store.subscribe({ filter: { streamPrefixes: [prefix] }, batchSize: 2, handler: async (batch) => void received.push(...batch) });
        await subscription.caughtUp();
        expect(received).toHaveLength(3);
        await store.append(`${prefix}2`, events(2), 'no-stream');
        await store.append(`${prefix}1`, events(1), 3);
        await eventually(() => expect(received).toHaveLength(6), 5_000);
        await subscription.stop();
        expect(received.map((e) => `${e.streamName.slice(prefix.length)}:${e.streamVersion}`)).toEqual(['1:1', '1:2', '1:3', '2:1', '2:2', '1:4']);
      });

      it('stops on a handler error and reports it, never skipping the failed batch', async () => {
        const prefix = uniquePrefix('sub-err');
        await untilVisible(store, await store.append(`${prefix}1`, events(2), 'no-stream'));
        const failure = new Error('projection failed');
        const errors: unknown[] = [];
        const calls: RecordedEvent[][] = [];
        const subscription = store.subscribe({
          filter: { streamPrefixes: [prefix] },
          handler: async (batch) => {
            calls.push(batch);
            throw failure;
          },
          onError: (error) => errors.push(error),
        });
        await expect(subscription.caughtUp()).rejects.toBe(failure);
        await subscription.stop();
        expect(errors).toEqual([failure]);
        expect(calls).toHaveLength(1);
        expect(calls[0].map((e) => e.streamVersion)).toEqual([1, 2]);
      });
    });

    describe('upcasting on read', () => {
      it('reads a v1 event as v2 while the stored event stays v1', async () => {
        const stream = `${uniquePrefix('upcast')}1`;
        await untilVisible(store, await store.append(stream, [newEvent('ContractRenamed', { name: 'Nguyễn Văn A' }, 1)], 'no-stream'));
        const [read] = await store.readStream(stream);
        expect(read).toMatchObject({ schemaVersion: 2, data: { fullName: 'Nguyễn Văn A', source: 'upcast' } });
        const [raw] = await store.readStream(stream, { raw: true });
        expect(raw).toMatchObject({ schemaVersion: 1, data: { name: 'Nguyễn Văn A' } });
        const [fromLog] = (await store.readAll({ filter: { streamPrefixes: [stream] } })).events;
        expect(fromLog.schemaVersion).toBe(2);
      });
    });

    describe('tamper evidence', () => {
      it('chains hashes per stream so an auditor can recompute them and spot a changed field', async () => {
        const stream = `${uniquePrefix('chain')}1`;
        await store.append(stream, events(3), 'no-stream');
        await store.append(stream, [newEvent('ContractRenamed', { name: 'B' }), newEvent()], 3);
        const stored = await store.readStream(stream, { raw: true });
        const verdict = verifyStreamChain(stored);
        expect(verdict).toEqual({ valid: true, lastHash: stored[4].hash });
        const tampered = stored.map((e) => (e.streamVersion === 4 ? { ...e, data: { name: 'C' } } : e));
        expect(verifyStreamChain(tampered)).toMatchObject({ valid: false, streamVersion: 4, eventId: stored[3].eventId });
        const removed = stored.filter((e) => e.streamVersion !== 2);
        expect(verifyStreamChain(removed)).toMatchObject({ valid: false, streamVersion: 3 });
      });

      it("reports every stream's recorded head: its version and newest hash", async () => {
        const stream = `${uniquePrefix('heads')}1`;
        await store.append(stream, events(2), 'no-stream');
        const [newest] = await store.readStream(stream, { fromVersion: 2, raw: true });
        const heads = await store.readStreamHeads();
        expect(heads.find((head) => head.streamName === stream)).toEqual({ streamName: stream, version: 2, lastHash: newest.hash });
      });
    });
  });
}
