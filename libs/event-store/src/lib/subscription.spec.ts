import { ChangeSignal } from './change-signal';
import type { Checkpoint, ProjectedEvent, ReadAllOptions, ReadAllResult } from './event-store.port';
import { startSubscription } from './subscription';

/**
 * The subscription loop over a log of `pages` full pages (then the head), read through a page source
 * that records how many pages the handler had finished when each read started. The stores' contract suites
 * test what is delivered against real engines; this tests when the loop reads.
 */
function pagedLog(pages: number, size: number) {
  const at = (n: number): Checkpoint => ({ transactionId: '1', globalPosition: String(n) });
  const events = Array.from({ length: pages * size }, (_, i): ProjectedEvent => ({ eventId: `e${i + 1}`, type: 'T', schemaVersion: 1, data: {}, position: at(i + 1) }));
  const reads: { after: number; pagesHandled: number }[] = [];
  let handled = 0;
  const readAllNarrow = async (options: ReadAllOptions): Promise<ReadAllResult<ProjectedEvent>> => {
    const after = Number(options.after?.globalPosition ?? 0);
    reads.push({ after, pagesHandled: handled });
    await new Promise((resolve) => setTimeout(resolve, 2));
    const page = events.slice(after, after + (options.limit ?? 500));
    return { events: page, checkpoint: page.length > 0 ? page[page.length - 1].position : at(after), atHead: after + page.length >= events.length && page.length < (options.limit ?? 500) };
  };
  const store = {
    readAll: () => Promise.reject(new Error('whole events not asked')),
    readAllNarrow,
    head: async () => at(events.length),
  };
  return { store, reads, pageHandled: () => (handled += 1) };
}

/** A narrow subscription in pages of 10 with this handler; its errors and whether it has stopped. */
function subscribe(store: ReturnType<typeof pagedLog>['store'], handler: (events: ProjectedEvent[]) => Promise<void>) {
  const errors: unknown[] = [];
  let stopped = false;
  const subscription = startSubscription(store, new ChangeSignal(), { narrow: true, batchSize: 10, handler, onError: (error) => errors.push(error) }, 1_000, () => (stopped = true));
  return { subscription, errors, stopped: () => stopped };
}

describe('startSubscription', () => {
  it('reads the next page while the handler works on the current one, and hands pages over in order', async () => {
    const { store, reads, pageHandled } = pagedLog(4, 10);
    const delivered: string[] = [];
    const { subscription } = subscribe(store, async (events) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      delivered.push(...events.map((e) => e.eventId));
      pageHandled();
    });
    await subscription.caughtUp();
    await subscription.stop();
    expect(delivered).toEqual(Array.from({ length: 40 }, (_, i) => `e${i + 1}`));
    // Pages 2, 3, 4 and the head were asked for before the page before them was handled (without the
    // read-ahead, the read after page k would see k pages handled).
    expect(reads.slice(0, 5)).toEqual([0, 10, 20, 30, 40].map((after, k) => ({ after, pagesHandled: Math.max(0, k - 1) })));
  });

  it('a failing handler stops it at the failed page: the page read ahead is dropped, nothing after it is handed over', async () => {
    const { store } = pagedLog(4, 10);
    const delivered: string[] = [];
    const { subscription, errors, stopped } = subscribe(store, async (events) => {
      if (events[0].eventId === 'e11') throw new Error('handler failed');
      delivered.push(...events.map((e) => e.eventId));
    });
    await expect(subscription.caughtUp()).rejects.toThrow('handler failed');
    expect(stopped()).toBe(true);
    expect(errors).toHaveLength(1);
    expect(delivered).toEqual(Array.from({ length: 10 }, (_, i) => `e${i + 1}`));
  });
});
