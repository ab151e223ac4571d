import type { mongo } from 'mongoose';

/**
 * A MongoDB database that fails like a process killed mid-batch, for the crash tests of the stores that
 * write without transactions (journal, per-document guard, checkpoint last). Only types come from
 * mongoose: the proxy wraps whatever database the spec opened.
 */

/** The failure the proxy throws: a spec expects exactly this, not an error of the store. */
export class CrashInjected extends Error {}

export interface CrashMeter {
  /** Document writes allowed before the crash. */
  budget: number;
  /** Document writes let through so far (a bulk write counts its operations). */
  writes: number;
  crashed: boolean;
  healed: boolean;
  /** The database answers again (the same process retries); writes of the crashed attempt still in flight may land. */
  heal(): void;
}

const SINGLE_WRITES = ['updateOne', 'insertOne', 'deleteMany', 'updateMany', 'deleteOne'];

/**
 * The database as the store sees it, except that after `budget` document writes every write fails; a
 * bulk write (or insertMany) crossing the budget applies its first operations and then fails. Reads go
 * through untouched. With an unlimited budget the meter counts the writes of an uninterrupted run.
 */
export const crashingAfter = (db: mongo.Db, budget: number): { db: mongo.Db; meter: CrashMeter } => {
  const meter: CrashMeter = {
    budget,
    writes: 0,
    crashed: false,
    healed: false,
    heal() {
      meter.healed = true;
      meter.crashed = false;
      meter.budget = Number.MAX_SAFE_INTEGER;
    },
  };
  const spend = (n: number): number => {
    if (meter.crashed) throw new CrashInjected('already crashed');
    const allowed = Math.min(n, meter.budget - meter.writes);
    meter.writes += allowed;
    return allowed;
  };
  const crash = (): never => {
    meter.crashed = !meter.healed;
    throw new CrashInjected(`crash after ${meter.writes} writes`);
  };
  const wrap = (collection: mongo.Collection) =>
    new Proxy(collection, {
      get(target, property, receiver) {
        const real = Reflect.get(target, property, receiver) as unknown;
        if (typeof real !== 'function') return real;
        const method = (real as (...args: unknown[]) => unknown).bind(target);
        if (property === 'bulkWrite' || property === 'insertMany') {
          return async (items: unknown[], ...rest: unknown[]) => {
            const allowed = spend(items.length);
            if (allowed === items.length) return method(items, ...rest);
            // The first operations land (their own errors do not matter: the process is dying).
            if (allowed > 0) await (method(items.slice(0, allowed), ...rest) as Promise<unknown>).catch(() => undefined);
            return crash();
          };
        }
        if (SINGLE_WRITES.includes(String(property))) {
          return async (...args: unknown[]) => (spend(1) === 1 ? method(...args) : crash());
        }
        return method;
      },
    });
  const proxy = new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'collection') return (name: string) => wrap(target.collection(name));
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  return { db: proxy, meter };
};
