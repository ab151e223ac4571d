import type { ChangeSignal } from './change-signal';
import { compareCheckpoints } from './event-rows';
import { Checkpoint, EventStore, ProjectedEvent, ReadAllOptions, ReadAllResult, START, SubscribeOptions, Subscription } from './event-store.port';

/** After a signal that brought nothing visible yet, look again soon: an older transaction is finishing. */
const RECHECK_AFTER_SIGNAL_MS = 50;
const MAX_QUICK_RECHECKS = 20;

interface CatchUpWaiter {
  target: Checkpoint;
  resolve(): void;
  reject(error: unknown): void;
}

/** One page of the log and the batch's handler, for whole events (readAll) or narrow ones (readAllNarrow). */
interface PageReader<Event extends ProjectedEvent> {
  read(options: ReadAllOptions): Promise<ReadAllResult<Event>>;
  handler(events: Event[], checkpoint: Checkpoint): Promise<void>;
}

/**
 * Catch-up then live, over readAll (readAllNarrow when `narrow`): the checkpoint only moves after the
 * handler resolved, so a handler error stops the subscription at the first unhandled event (reported,
 * never skipped).
 */
export function startSubscription(
  store: Pick<EventStore, 'readAll' | 'readAllNarrow' | 'head'>,
  changes: ChangeSignal,
  options: SubscribeOptions,
  pollIntervalMs: number,
  onStopped: () => void,
): Subscription {
  let checkpoint = options.after ?? START;
  let running = true;
  let failure: { error: unknown } | undefined;
  let waiters: CatchUpWaiter[] = [];
  let quickRechecks = 0;
  let signalled = false;

  const settleWaiters = (atHead: boolean) => {
    waiters = waiters.filter((waiter) => {
      if (failure) waiter.reject(failure.error);
      else if (atHead && compareCheckpoints(checkpoint, waiter.target) >= 0) waiter.resolve();
      else if (!running) waiter.reject(new Error('subscription stopped before catching up'));
      else return true;
      return false;
    });
  };

  const loop = async <Event extends ProjectedEvent>(reader: PageReader<Event>) => {
    const read = (after: Checkpoint) => {
      const seen = changes.current;
      const page = reader.read({ after, limit: options.batchSize ?? 500, filter: options.filter });
      // Observed below; a read-ahead abandoned by a stop or a failed handler must not be reported unhandled.
      page.catch(() => undefined);
      return { seen, page };
    };
    // While behind, the next page is read while the handler works on this one (a catch-up's read overlaps
    // its projection). Only the checkpoint the handler has finished moves the subscription.
    let ahead: ReturnType<typeof read> | undefined;
    try {
      while (running) {
        const { seen, page: reading } = ahead ?? read(checkpoint);
        ahead = undefined;
        const page = await reading;
        if (!running) break;
        if (!page.atHead) ahead = read(page.checkpoint);
        if (page.events.length > 0) await reader.handler(page.events, page.checkpoint);
        checkpoint = page.checkpoint;
        settleWaiters(page.atHead);
        if (!page.atHead) continue;
        // A signal whose rows are not visible yet (an older transaction still runs) earns a few quick
        // re-reads; after that the slow poll takes over.
        if (signalled && page.events.length === 0 && quickRechecks < MAX_QUICK_RECHECKS) {
          quickRechecks += 1;
          await sleep(RECHECK_AFTER_SIGNAL_MS);
          continue;
        }
        quickRechecks = 0;
        signalled = await changes.waitSince(seen, pollIntervalMs);
      }
    } finally {
      // Nothing of the subscription's left running once it has stopped (the store may be closed next).
      await ahead?.page.catch(() => undefined);
    }
  };

  const done = (
    options.narrow
      ? loop({ read: (read) => store.readAllNarrow(read), handler: options.handler })
      : loop({ read: (read) => store.readAll(read), handler: options.handler })
  )
    .catch((error: unknown) => {
      failure = { error };
      running = false;
      options.onError?.(error);
    })
    .finally(() => {
      running = false;
      settleWaiters(false);
      onStopped();
    });

  return {
    async stop() {
      running = false;
      changes.notify();
      await done;
    },
    async caughtUp() {
      if (failure) throw failure.error;
      const target = await store.head();
      await new Promise<void>((resolve, reject) => {
        waiters.push({ target, resolve, reject });
        settleWaiters(false);
        changes.notify();
      });
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
