import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { emptyHashed, hashBatch, type HashBatch, type HashedBatch } from './event-hasher';

type Pending = { resolve: (hashed: HashedBatch) => void; reject: (error: Error) => void };

/**
 * Worker threads a verify uses by default: the cores left after the database and the main thread (at
 * most 4). On 2 cores that is none: a worker costs ~1.3 µs more CPU per event (the page is copied to
 * it); at 200,000 events no worker was faster (84–114k/s against 57–78k/s), at 1,000,000 events under
 * a load average of 8 one worker was (104k/s against 94k/s), docs/operations/benchmarks.md.
 */
export const defaultHashWorkers = (): number => Math.max(0, Math.min(4, availableParallelism() - 2));

/**
 * Hashes batches on worker threads, each batch on the least busy worker; with no workers it hashes on
 * the calling thread. Every event's chain step only needs the stored hash of its predecessor, which the
 * caller puts in the batch, so batches are independent and any worker may take any batch.
 */
export class HashPool {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.workers.push({ worker: this.start(), busy: 0 });
  }

  get size(): number {
    return this.workers.length;
  }

  hash(batch: HashBatch): Promise<HashedBatch> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.workers.length === 0) return hashInSlices(batch);
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy += 1;
    return new Promise<HashedBatch>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (hashed) => { slot.busy -= 1; resolve(hashed); },
        reject: (error) => { slot.busy -= 1; reject(error); },
      });
      slot.worker.postMessage({ id, batch });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
    this.workers.length = 0;
  }

  private start(): Worker {
    // From the TypeScript sources (tests, `npx cdt`), the worker registers the same transpiler first.
    const typescript = extname(__filename) === '.ts';
    const worker = new Worker(join(__dirname, `hash-worker${extname(__filename)}`), {
      execArgv: typescript ? ['-r', join(__dirname, '..', '..', '..', '..', 'scripts', 'register.js')] : [],
    });
    worker.on('message', ({ id, hashed, error }: { id: number; hashed?: HashedBatch; error?: string }) => {
      const pending = this.pending.get(id);
      this.pending.delete(id);
      if (error !== undefined || !hashed) pending?.reject(new Error(`hash worker: ${error}`));
      else pending?.resolve(hashed);
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`hash worker exited with code ${code}`));
    });
    return worker;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

/** Events hashed on the calling thread between two turns of the event loop. */
const SLICE = 500;

/**
 * Hashing on the calling thread, a slice at a time: between slices the event loop reads the socket, so
 * the database goes on sending the next page instead of stalling once the socket buffers are full.
 */
async function hashInSlices(batch: HashBatch): Promise<HashedBatch> {
  const into = emptyHashed(batch.count);
  for (let from = 0; from < batch.count; from += SLICE) {
    if (from > 0) await nextTurn();
    hashBatch(batch, from, Math.min(batch.count, from + SLICE), into);
  }
  return into;
}
