/**
 * Wakes live subscriptions when something may have been appended (NOTIFY or an in-process append).
 * A generation counter means a signal that arrives while the reader is busy is not lost.
 */
export class ChangeSignal {
  private generation = 0;
  private waiters = new Set<() => void>();

  get current(): number {
    return this.generation;
  }

  notify(): void {
    this.generation += 1;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Resolves at once if a signal came after `seen`, else on the next one or after `timeoutMs`;
   * true when a signal (not the timeout) ended the wait.
   */
  waitSince(seen: number, timeoutMs: number): Promise<boolean> {
    if (this.generation !== seen) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (signalled: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(onSignal);
        resolve(signalled);
      };
      const onSignal = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(onSignal);
    });
  }
}
