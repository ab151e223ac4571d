import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the runner reports on /metrics (the platform's registry). */
export class ProjectionMetrics {
  readonly lagEvents: Gauge;
  readonly lagSeconds: Gauge;
  readonly events: Counter;
  readonly batches: Histogram;
  readonly failures: Counter;

  /** `refresh` runs on each scrape, so the lag gauges are as fresh as the scrape. */
  constructor(registry: Registry, refresh: () => Promise<{ lagEvents: number; lagSeconds: number }>) {
    const registers = [registry];
    let pending: Promise<{ lagEvents: number; lagSeconds: number }> | undefined;
    // One look at the log head serves both gauges of one scrape.
    const lag = () => {
      pending ??= refresh().finally(() => setImmediate(() => (pending = undefined)));
      return pending;
    };
    this.lagEvents = new Gauge({
      name: 'cdt_projection_lag_events',
      help: 'Events between the KPI read model checkpoint and the head of the event log (from global positions)',
      registers,
      async collect() {
        this.set((await lag()).lagEvents);
      },
    });
    this.lagSeconds = new Gauge({
      name: 'cdt_projection_lag_seconds',
      help: 'Age of the oldest event not yet projected into the KPI read model (0 when caught up)',
      registers,
      async collect() {
        this.set((await lag()).lagSeconds);
      },
    });
    this.events = new Counter({ name: 'cdt_projection_events_total', help: 'Events projected into the KPI read model by this process', registers });
    this.batches = new Histogram({
      name: 'cdt_projection_batch_duration_seconds',
      help: 'Time to project one batch and commit it with its checkpoint',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.failures = new Counter({ name: 'cdt_projection_batch_failures_total', help: 'Batch attempts that failed and were retried', registers });
  }
}
