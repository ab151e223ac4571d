import { setTimeout as sleep } from 'node:timers/promises';
import { compareCheckpoints } from './event-rows';
import { START, type Checkpoint, type EventFilter, type EventStore, type RecordedEvent } from './event-store.port';

export interface LogFollowerOptions {
  readonly filter?: EventFilter;
  readonly pageSize?: number;
  /** Folds one event of the log, in commit order, into the caller's in-memory view. */
  readonly apply: (event: RecordedEvent) => void;
}

/**
 * Keeps an in-memory view of the log up to date: `catchUp()` reads from where the last one stopped to
 * the visible head, one catch-up after another, so every answer sees what the store showed when it
 * asked. The log is read gap-safely: on PostgreSQL an event committed while an older transaction of
 * the server is still open becomes visible a little later, never out of order. A caller that has just
 * appended and must answer from the view (read your own writes) waits for its position with `reach()`.
 */
export class LogFollower {
  private at: Checkpoint = START;

  private catchingUp: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<EventStore, 'readAll'>,
    private readonly options: LogFollowerOptions,
  ) {}

  get checkpoint(): Checkpoint {
    return this.at;
  }

  catchUp(): Promise<void> {
    const next = this.catchingUp.then(() => this.readToHead());
    // A failed read leaves the checkpoint where it was; the next catch-up tries again from there.
    this.catchingUp = next.catch(() => undefined);
    return next;
  }

  /**
   * Catches up until the view holds `position` (an appended event's), polling while the store does not
   * show it yet. Resolves true once it does, false after `timeoutMs` (the event is durable all the same:
   * it was appended; only this view is late).
   */
  async reach(position: Checkpoint, { timeoutMs = 15_000, pollMs = 25 }: { timeoutMs?: number; pollMs?: number } = {}): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.catchUp();
      if (compareCheckpoints(this.at, position) >= 0) return true;
      if (Date.now() >= deadline) return false;
      await sleep(pollMs);
    }
  }

  private async readToHead(): Promise<void> {
    for (let atHead = false; !atHead; ) {
      const page = await this.store.readAll({ after: this.at, limit: this.options.pageSize ?? 1_000, ...(this.options.filter ? { filter: this.options.filter } : {}) });
      for (const event of page.events) this.options.apply(event);
      this.at = page.checkpoint;
      // A page may hold no match yet not be the head: the filter skipped a whole scan of other events.
      atHead = page.atHead;
    }
  }
}
