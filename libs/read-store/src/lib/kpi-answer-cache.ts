import { compareCheckpoints, type Checkpoint } from '@cdt/event-store';

/**
 * What an answer cache needs of a read model: where it stands in the log and, when the engine can, one
 * consistent snapshot to read an answer in (KpiQueryStore.snapshot). `S` is what a computation reads:
 * the store itself, or the view of it bound to the snapshot.
 */
export interface CheckpointSource<S = unknown> {
  checkpoint(): Promise<Checkpoint | undefined>;
  snapshot?<T>(read: (store: S) => Promise<T>): Promise<{ readonly result: T; readonly checkpoint: Checkpoint | undefined }>;
}

/** An answer and the log position it is the read model's answer at. */
export interface PositionedAnswer<T> {
  readonly answer: T;
  /** The checkpoint the answer was read at: the model's own when `exact`, else the last one read. */
  readonly at: Checkpoint | undefined;
  /** True when the answer is exactly the model at `at`: read in one snapshot, or while the checkpoint did not move. */
  readonly exact: boolean;
  /** True when the model has moved past `at` since: an earlier answer served within `maxStaleMs`. */
  readonly stale: boolean;
}

export interface KpiAnswerCacheOptions {
  /** Questions kept, the least recently used dropped first. */
  readonly maxEntries?: number;
  /**
   * How long after it was computed an answer may still be served once the model has moved past its
   * checkpoint (a newer one is computed meanwhile, once). 0, the default: only answers of the model's
   * current checkpoint are served.
   */
  readonly maxStaleMs?: number;
  /** Reads of the question before an answer is returned as not exact (the model kept moving; stores without a snapshot only). */
  readonly attempts?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly answer: unknown;
  readonly at: Checkpoint | undefined;
  readonly computedAt: number;
}

const DEFAULT_ATTEMPTS = 5;

const sameCheckpoint = (a: Checkpoint | undefined, b: Checkpoint | undefined): boolean =>
  a?.transactionId === b?.transactionId && a?.globalPosition === b?.globalPosition;

/** True when `a` is strictly before `b` in the log (no checkpoint is before any). */
const isBefore = (a: Checkpoint | undefined, b: Checkpoint | undefined): boolean =>
  b !== undefined && (a === undefined || compareCheckpoints(a, b) < 0);

const positionText = (at: Checkpoint | undefined): string => (at ? `${at.transactionId}/${at.globalPosition}` : '-');

/**
 * Answers already computed, one per question, with the read-model checkpoint each is exact at. The model
 * changes only when a batch moves its checkpoint (same transaction), so an answer read between two equal
 * checkpoints is exactly what the model gives there, and it is served as long as the checkpoint stands:
 * a question then costs one checkpoint read.
 *
 * While the projection moves, the same question asked by many clients at once is computed once per
 * checkpoint (the others wait for that computation), and with `maxStaleMs` an answer of an earlier
 * checkpoint is served at once, labelled with its checkpoint, while the next is computed in the
 * background. Answers are never mixed across checkpoints. A store with `snapshot` (PostgreSQL, PGlite)
 * computes each answer once, in one snapshot, exact at the checkpoint read in it, however many batches
 * land meanwhile. Without one (MongoDB), the checkpoint is read before and after: a read while the model
 * moved is retried, and after `attempts` returned as not exact, uncached.
 *
 * Share one cache between readers of the same model and the same unit lists only.
 */
export class KpiAnswerCache {
  private readonly entries = new Map<string, Entry>();
  private readonly computing = new Map<string, Promise<PositionedAnswer<unknown>>>();
  private readonly maxEntries: number;
  private readonly maxStaleMs: number;
  private readonly attempts: number;
  private readonly now: () => number;

  constructor(options: KpiAnswerCacheOptions | number = {}) {
    const { maxEntries = 10_000, maxStaleMs = 0, attempts = DEFAULT_ATTEMPTS, now = Date.now } = typeof options === 'number' ? { maxEntries: options } : options;
    if (maxEntries < 1 || maxStaleMs < 0 || attempts < 1) throw new Error('KpiAnswerCache: maxEntries and attempts must be positive, maxStaleMs not negative');
    this.maxEntries = maxEntries;
    this.maxStaleMs = maxStaleMs;
    this.attempts = attempts;
    this.now = now;
  }

  /** The answer alone (see `answerAt`). */
  async answer<S extends CheckpointSource<S>, T>(store: S, question: string, compute: (store: S) => Promise<T>): Promise<T> {
    return (await this.answerAt(store, question, compute)).answer;
  }

  /**
   * The model's answer to `question` and the checkpoint it is exact at: cached while the checkpoint
   * stands, else computed (once for all concurrent askers), or, within `maxStaleMs` (this call's, else
   * the cache's), the previous answer while the next is computed. `compute` reads the store it is given
   * (the snapshot's view of `store`, or `store` itself), never another.
   */
  async answerAt<S extends CheckpointSource<S>, T>(store: S, question: string, compute: (store: S) => Promise<T>, options: { maxStaleMs?: number } = {}): Promise<PositionedAnswer<T>> {
    const at = await store.checkpoint();
    const entry = this.entries.get(question);
    if (entry && sameCheckpoint(entry.at, at)) {
      this.touch(question, entry);
      return { answer: entry.answer as T, at: entry.at, exact: true, stale: false };
    }
    const maxStaleMs = options.maxStaleMs ?? this.maxStaleMs;
    if (entry && maxStaleMs > 0 && isBefore(entry.at, at) && this.now() - entry.computedAt <= maxStaleMs) {
      // Served as it was; the next answer is computed meanwhile (a failure there is the next asker's to see).
      this.compute(store, question, compute, at).catch(() => undefined);
      return { answer: entry.answer as T, at: entry.at, exact: true, stale: true };
    }
    return this.compute(store, question, compute, at);
  }

  /** Computes the answer at `at` once, however many ask meanwhile; keeps it when exact. */
  private compute<S extends CheckpointSource<S>, T>(store: S, question: string, compute: (store: S) => Promise<T>, at: Checkpoint | undefined): Promise<PositionedAnswer<T>> {
    const key = `${positionText(at)} ${question}`;
    let pending = this.computing.get(key) as Promise<PositionedAnswer<T>> | undefined;
    if (!pending) {
      pending = this.read(store, question, compute, at).finally(() => this.computing.delete(key));
      this.computing.set(key, pending);
    }
    return pending;
  }

  private async read<S extends CheckpointSource<S>, T>(store: S, question: string, compute: (store: S) => Promise<T>, before: Checkpoint | undefined): Promise<PositionedAnswer<T>> {
    const snapshot = store.snapshot?.bind(store);
    if (snapshot) {
      const computedAt = this.now();
      const { result, checkpoint } = await snapshot(compute);
      this.keep(question, { answer: result, at: checkpoint, computedAt });
      return { answer: result, at: checkpoint, exact: true, stale: false };
    }
    for (let attempt = 1; ; attempt++) {
      const computedAt = this.now();
      const answer = await compute(store);
      const after = await store.checkpoint();
      if (sameCheckpoint(before, after)) {
        this.keep(question, { answer, at: after, computedAt });
        return { answer, at: after, exact: true, stale: false };
      }
      if (attempt >= this.attempts) return { answer, at: after, exact: false, stale: false };
      before = after;
    }
  }

  /** Keeps an exact answer, unless a later one is kept: a slower computation of an earlier checkpoint does not replace it. */
  private keep(question: string, entry: Entry): void {
    const kept = this.entries.get(question);
    if (!kept || !isBefore(entry.at, kept.at)) this.touch(question, entry);
  }

  private touch(question: string, entry: Entry): void {
    this.entries.delete(question);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(question, entry);
  }
}
