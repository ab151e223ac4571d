import { compareCheckpoints, START, type Checkpoint, type EventStore, type NarrowSubscribeOptions, type ProjectedEvent, type Subscription } from '@cdt/event-store';
import type { UnitResolver } from '@cdt/domain-kpi';
import type { Registry } from 'prom-client';
import type { KpiModel, KpiVersionStore } from '../read-models/kpi-model';
import type { LiveKpiReadStore } from '../read-models/live-kpi-read-store';
import { catchUpWriter, openModelProjection, type CatchUpWriter, type ModelProjection } from './model-projection';
import { ProjectionMetrics } from './projection-metrics';

/**
 * Events per batch, at most: a page holds what the log has, so live batches stay small; while behind,
 * a bigger page merges more events into each written row (on the bench log, 100,000 events write
 * 9.1 M rows in pages of 1,000, 8.1 M in pages of 10,000) and commits less often.
 */
export const DEFAULT_BATCH_SIZE = 10_000;
/**
 * Model 2's pages while behind (ADR 0010): a team's month cell and the coarse cells are upserted once per page
 * they are written in, so larger pages write fewer rows. The service's catch-up of the 1M bench log in pages
 * of 50,000 (2026-11-26, docs/operations/benchmarks.md, "fewer rows and indexes per event"): 48,412–54,790
 * events/s, median ~51,000, at a peak RSS of ~1.1–1.2 GB; pages of 20,000 took ~0.94 GB at 1258818
 * (CDT_PROJECTION_BATCH_SIZE chooses).
 */
export const DEFAULT_MODEL2_BATCH_SIZE = 50_000;

export type RunnerState = 'stopped' | 'starting' | 'catching-up' | 'live' | 'retrying';

export interface ProjectionLag {
  /** Events between the checkpoint and the log head, from global positions (approximate under concurrent writers). */
  lagEvents: number;
  /** Age of the oldest event not yet projected; 0 when caught up. */
  lagSeconds: number;
}

export interface ProjectionStatus extends ProjectionLag {
  state: RunnerState;
  /** The model version (schema) the runner writes: the live one. */
  version?: string;
  /** The KPI model that version holds (ADR 0010). */
  model?: KpiModel;
  checkpoint?: Checkpoint;
  head: Checkpoint;
  /** Events projected by this process since it started. */
  eventsProjected: number;
  /** The error of the batch being retried, when state is `retrying`. */
  lastError?: string;
}

/** The slice of pino the runner logs through. */
export interface RunnerLogger {
  /** Per-batch timings (events, ms, checkpoint); pino's debug level. */
  debug?(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * The log as the runner reads it: a narrow subscription (the store reads only what a projection needs,
 * ADR 0010 decision 7; a Kafka feed hands whole events, which are ProjectedEvents too), the head, and
 * readAll for the age of the oldest unprojected event.
 */
export interface ProjectionFeed extends Pick<EventStore, 'head' | 'readAll'> {
  subscribe(options: NarrowSubscribeOptions): Subscription;
}

export interface ProjectionRunnerOptions {
  eventStore: ProjectionFeed;
  readStore: LiveKpiReadStore;
  resolve: UnitResolver;
  /** Events per batch at most; default DEFAULT_BATCH_SIZE for model 1, DEFAULT_MODEL2_BATCH_SIZE for model 2. */
  batchSize?: number;
  /**
   * Model 2's full batches through the pipeline (default true). False for a feed that records its position
   * when the handler returns (the Kafka feed commits its offset then): a pipelined batch returns before its
   * write commits, and a crash in between would make the feed rewind the topic at the next start.
   */
  pipelineCatchUp?: boolean;
  /** Retry delays: doubling from `initialMs` up to `maxMs`. */
  backoff?: { initialMs: number; maxMs: number };
  /** Registers the cdt_projection_* metrics here (the platform's METRICS_REGISTRY). */
  registry?: Registry;
  logger?: RunnerLogger;
}

/** A catch-up page's write failed (or was refused): the pages after the stored checkpoint must be read again. */
class CatchUpFailed extends Error {
  constructor(cause: unknown) {
    super(`catch-up write failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

const SILENT: RunnerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Keeps the live KPI read model up with the event log: subscribes from the model's own checkpoint and
 * projects each delivered batch with the projector of the model the live version holds
 * (`openModelProjection`: deltas + checkpoint in one transaction).
 * A failed batch is retried, with back-off, until it commits: never skipped, never applied twice (the
 * store refuses a checkpoint it is already past). When a rebuild switches the live version, the runner
 * moves over to it and continues from that version's checkpoint.
 */
export class ProjectionRunner {
  private readonly log: RunnerLogger;
  private readonly metrics?: ProjectionMetrics;
  /** Of the current subscription: the option, or the live model's default. */
  private batchSize = DEFAULT_BATCH_SIZE;
  private readonly backoff: { initialMs: number; maxMs: number };
  private subscription?: Subscription;
  private restarting?: Promise<void>;
  private restartRequested = false;
  private stopping = true;
  private wake?: () => void;
  private current?: { schema: string; version: KpiVersionStore; projection: ModelProjection };
  /** Model 2 while behind: full pages go through a pipeline, a page's write overlapping the next page's projection. */
  private catchUp?: { writer: CatchUpWriter; pending?: { checkpoint: Checkpoint; events: number } };
  /** Catch-up failures in a row (each restarts the subscription), for the back-off. */
  private catchUpFailures = 0;
  private checkpoint?: Checkpoint;
  private runnerState: RunnerState = 'stopped';
  private lastError?: string;
  private projected = 0;

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.log = options.logger ?? SILENT;
    this.backoff = options.backoff ?? { initialMs: 200, maxMs: 30_000 };
    if (options.registry) this.metrics = new ProjectionMetrics(options.registry, () => this.lag());
  }

  /** Opens the live version and subscribes; returns once subscribed (catching up goes on in the background). */
  async start(): Promise<void> {
    if (!this.stopping) return;
    this.stopping = false;
    this.runnerState = 'starting';
    await this.openAndSubscribe();
  }

  /** Stops after the batch in hand (a batch being retried is abandoned: it stays unapplied). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.restarting;
    await this.subscription?.stop();
    this.subscription = undefined;
    await this.endCatchUp();
    this.runnerState = 'stopped';
  }

  async lag(): Promise<ProjectionLag> {
    const head = await this.options.eventStore.head();
    return this.lagTo(head);
  }

  async status(): Promise<ProjectionStatus> {
    const head = await this.options.eventStore.head();
    const lag = await this.lagTo(head);
    return {
      // A subscription that has had nothing to deliver yet is live all the same.
      state: this.runnerState === 'catching-up' && lag.lagEvents === 0 ? 'live' : this.runnerState,
      version: this.current?.schema,
      model: this.current?.projection.model,
      checkpoint: this.checkpoint,
      head,
      ...lag,
      eventsProjected: this.projected,
      ...(this.runnerState === 'retrying' && this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /** Resolves when the model has every event visible at call time (tests, the CLI). */
  async waitUntilCaughtUp(timeoutMs = 60_000): Promise<void> {
    const target = await this.options.eventStore.head();
    const deadline = Date.now() + timeoutMs;
    while (!this.checkpoint || compareCheckpoints(this.checkpoint, target) < 0) {
      if (this.stopping) throw new Error('the projection runner stopped before catching up');
      if (Date.now() > deadline) throw new Error(`the projection did not catch up within ${timeoutMs} ms (at ${JSON.stringify(this.checkpoint)}, head ${JSON.stringify(target)})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private async lagTo(head: Checkpoint): Promise<ProjectionLag> {
    const at = this.checkpoint ?? START;
    if (compareCheckpoints(at, head) >= 0) return { lagEvents: 0, lagSeconds: 0 };
    // Positions are handed out at insert and read in commit order, so the difference is a close estimate.
    const lagEvents = Math.max(1, Number(head.globalPosition) - Number(at.globalPosition));
    const next = await this.options.eventStore.readAll({ after: at, limit: 1, raw: true });
    const oldest = next.events[0]?.recordedAt;
    return { lagEvents, lagSeconds: oldest ? Math.max(0, (Date.now() - Date.parse(oldest)) / 1000) : 0 };
  }

  private async openAndSubscribe(): Promise<void> {
    const schema = await this.options.readStore.versions.active();
    const version = await this.options.readStore.version(schema);
    const projection = await openModelProjection(version, this.options.resolve);
    const checkpoint = await projection.checkpoint();
    this.current = { schema, version, projection };
    this.batchSize = this.options.batchSize ?? (projection.model === 2 ? DEFAULT_MODEL2_BATCH_SIZE : DEFAULT_BATCH_SIZE);
    this.checkpoint = checkpoint;
    this.restartRequested = false;
    this.runnerState = 'catching-up';
    this.log.info({ version: schema, model: projection.model, checkpoint: checkpoint ?? null, teams: projection.teams }, 'projection runner subscribing');
    this.subscription = this.options.eventStore.subscribe({
      narrow: true,
      after: checkpoint ?? START,
      batchSize: this.batchSize,
      handler: (events, at) => this.handle(events, at),
      onError: (error) => {
        if (this.stopping) return;
        this.log.error({ err: error }, 'projection subscription failed; restarting from the stored checkpoint');
        this.restart();
      },
    });
  }

  /** Re-opens the live version and resubscribes (after a version switch or a failed subscription). */
  private restart(): void {
    this.restartRequested = true;
    if (this.restarting || this.stopping) return;
    this.restarting = (async () => {
      await this.subscription?.stop();
      await this.endCatchUp();
      for (let attempt = 0; !this.stopping; attempt++) {
        try {
          await this.openAndSubscribe();
          return;
        } catch (error) {
          this.noteFailure(error, attempt, 'projection runner could not reopen the read model');
          await this.sleep(this.delay(attempt));
        }
      }
    })().finally(() => {
      this.restarting = undefined;
    });
  }

  private async handle(events: ProjectedEvent[], checkpoint: Checkpoint): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopping || this.restartRequested || !this.current) return;
      const current = this.current;
      try {
        const live = await this.options.readStore.versions.active();
        if (live !== current.schema) {
          this.log.info({ from: current.schema, to: live }, 'live KPI model version switched; following it');
          this.restart();
          return;
        }
        if (current.projection.model === 2 && this.options.pipelineCatchUp !== false && events.length >= this.batchSize) {
          await this.pushCatchUp(current.version, events, checkpoint);
          return;
        }
        if (this.catchUp) {
          // Behind no more: the last full page's write first, then the projector's state from the store it wrote.
          // (Dropped only once reloaded: a failed reload is retried with this batch, and must not leave the old state.)
          await this.settle(this.catchUp);
          await current.projection.reload();
          this.catchUp = undefined;
        }
        const endTimer = this.metrics?.batches.startTimer();
        const startedAt = Date.now();
        // Not applied: the store was already past this batch (e.g. a commit whose reply was lost); the
        // projection has reloaded its state from the store.
        const applied = await current.projection.project(events, checkpoint);
        endTimer?.();
        this.log.debug?.({ events: events.length, checkpoint, applied, ms: Date.now() - startedAt, attempt: attempt + 1 }, 'projection batch written');
        this.committed(checkpoint, applied ? events.length : 0);
        this.runnerState = events.length < this.batchSize ? 'live' : 'catching-up';
        return;
      } catch (error) {
        this.metrics?.failures.inc();
        this.runnerState = 'retrying';
        if (error instanceof CatchUpFailed) {
          // A page the subscription has handed over was not written: it cannot be retried alone. Nothing is in
          // flight (a pipeline stops at a failed write), so the runner reopens the version and subscribes again
          // from the stored checkpoint, after a back-off.
          this.catchUp = undefined;
          this.noteFailure(error.cause, this.catchUpFailures, 'projection catch-up write failed; resubscribing from the stored checkpoint');
          await this.sleep(this.delay(this.catchUpFailures++));
          this.restart();
          return;
        }
        this.noteFailure(error, attempt, 'projection batch failed; retrying the same batch');
        await this.sleep(this.delay(attempt));
      }
    }
  }

  /**
   * A full page of model 2 while behind: projected now, written while the next page is read and projected
   * (Model2Pipeline, as a rebuild writes). Its checkpoint counts once the next push or `settle` has seen its
   * write commit.
   */
  private async pushCatchUp(version: KpiVersionStore, events: readonly ProjectedEvent[], checkpoint: Checkpoint): Promise<void> {
    // Started from the store, which every earlier batch was committed to.
    this.catchUp ??= { writer: await catchUpWriter(version, this.options.resolve) };
    const catchUp = this.catchUp;
    const endTimer = this.metrics?.batches.startTimer();
    try {
      await catchUp.writer.push(events, checkpoint);
    } catch (error) {
      throw new CatchUpFailed(error);
    }
    endTimer?.();
    // push waited for the previous page's write: that page is committed.
    if (catchUp.pending) this.committed(catchUp.pending.checkpoint, catchUp.pending.events);
    catchUp.pending = { checkpoint, events: events.length };
    this.runnerState = 'catching-up';
    // A page that ends at the head is followed by no batch to wait for its write: wait now. (A head that cannot
    // be read is taken as further on: the next batch or the stop waits for the write.)
    const head = await this.options.eventStore.head().catch(() => undefined);
    if (head && compareCheckpoints(checkpoint, head) >= 0) await this.settle(catchUp);
  }

  /** Waits for the catch-up's page in flight; a failed write is a CatchUpFailed. */
  private async settle(catchUp: NonNullable<ProjectionRunner['catchUp']>): Promise<void> {
    try {
      await catchUp.writer.flush();
    } catch (error) {
      throw new CatchUpFailed(error);
    }
    if (catchUp.pending) this.committed(catchUp.pending.checkpoint, catchUp.pending.events);
    catchUp.pending = undefined;
  }

  /** On stop and restart: the page in flight waited for; if it failed, the next subscription projects it again from the stored checkpoint. */
  private async endCatchUp(): Promise<void> {
    const catchUp = this.catchUp;
    this.catchUp = undefined;
    if (!catchUp) return;
    await this.settle(catchUp).catch((error: unknown) => {
      this.log.warn({ err: error instanceof CatchUpFailed ? error.cause : error }, 'projection catch-up page in flight failed; it is projected again from the stored checkpoint');
    });
  }

  /** A batch's write has committed (`events` of it newly applied): the checkpoint, the count and the error state follow. */
  private committed(checkpoint: Checkpoint, events: number): void {
    this.checkpoint = checkpoint;
    this.projected += events;
    this.metrics?.events.inc(events);
    this.catchUpFailures = 0;
    this.lastError = undefined;
  }

  private noteFailure(error: unknown, attempt: number, message: string): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    this.log.warn({ err: error, attempt: attempt + 1, checkpoint: this.checkpoint ?? null, retryInMs: this.delay(attempt) }, message);
  }

  private delay(attempt: number): number {
    return Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.min(attempt, 20));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
