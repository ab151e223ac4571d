export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/**
 * Resolves when the dependency answers, rejects (with a reason) when it does not. It may resolve with
 * details to show next to `up` (e.g. a projection's lag).
 */
export type ReadinessCheck = () => Promise<void | Record<string, unknown>>;

/**
 * Dependencies `/health` checks. Modules add theirs at start-up, e.g. the app registers the event
 * store: `readiness.add('event-store', () => store.health())`.
 */
export class ReadinessChecks {
  private readonly checks = new Map<string, ReadinessCheck>();

  add(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`readiness check "${name}" is already registered`);
    this.checks.set(name, check);
  }

  list(): { name: string; check: ReadinessCheck }[] {
    return [...this.checks].map(([name, check]) => ({ name, check }));
  }
}
