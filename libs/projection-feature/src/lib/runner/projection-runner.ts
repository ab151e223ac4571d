import { compareCheckpoints, START, type Checkpoint, type EventStore, type NarrowSubscribeOptions, type ProjectedEvent, type Subscription } from '@cdt/event-store';
import type { UnitResolver } from '@cdt/domain-kpi';
import type { Registry } from 'prom-client';
import type { KpiModel } from '../read-models/kpi-model';
import type { LiveKpiReadStore } from '../read-models/live-kpi-read-store';
import { openModelProjection, type ModelProjection } from './model-projection';
import { ProjectionMetrics } from './projection-metrics';

/**
 * Events per batch, at most: a page holds what the log has, so live batches stay small; while behind,
 * a bigger page merges more events into each written row (on the bench log, 100,000 events write
 * 9.1 M rows in pages of 1,000, 8.1 M in pages of 10,000) and commits less often.
 */
export const DEFAULT_BATCH_SIZE = 10_000;

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
  batchSize?: number;
  /** Retry delays: doubling from `initialMs` up to `maxMs`. */
  backoff?: { initialMs: number; maxMs: number };
  /** Registers the cdt_projection_* metrics here (the platform's METRICS_REGISTRY). */
  registry?: Registry;
  logger?: RunnerLogger;
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
  private readonly batchSize: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private subscription?: Subscription;
  private restarting?: Promise<void>;
  private restartRequested = false;
  private stopping = true;
  private wake?: () => void;
  private current?: { schema: string; projection: ModelProjection };
  private checkpoint?: Checkpoint;
  private runnerState: RunnerState = 'stopped';
  private lastError?: string;
  private projected = 0;

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.log = options.logger ?? SILENT;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
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
    const projection = await openModelProjection(await this.options.readStore.version(schema), this.options.resolve);
    const checkpoint = await projection.checkpoint();
    this.current = { schema, projection };
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
        const endTimer = this.metrics?.batches.startTimer();
        const startedAt = Date.now();
        // Not applied: the store was already past this batch (e.g. a commit whose reply was lost); the
        // projection has reloaded its state from the store.
        const applied = await current.projection.project(events, checkpoint);
        endTimer?.();
        this.log.debug?.({ events: events.length, checkpoint, applied, ms: Date.now() - startedAt, attempt: attempt + 1 }, 'projection batch written');
        this.checkpoint = checkpoint;
        if (applied) {
          this.projected += events.length;
          this.metrics?.events.inc(events.length);
        }
        this.runnerState = events.length < this.batchSize ? 'live' : 'catching-up';
        this.lastError = undefined;
        return;
      } catch (error) {
        this.metrics?.failures.inc();
        this.runnerState = 'retrying';
        this.noteFailure(error, attempt, 'projection batch failed; retrying the same batch');
        await this.sleep(this.delay(attempt));
      }
    }
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
