import type { Checkpoint } from '@cdt/event-store';
import {
  relocatingTeamIds,
  type Model2State,
  type ProjectionEvent,
  type UnitResolver,
} from '@cdt/domain-kpi';
import { loadModel2State, projectWithReads } from './project-into-model2';
import type { KpiModel2Store } from './kpi-model2-store.port';

/**
 * Catch-up into model 2 with the write of one batch overlapping the projection of the next: Node
 * projects batch N+1 while PostgreSQL writes batch N. A batch that relocates a team waits for the write
 * first (a team's history is read whole, and stock facts have no key to overlay by).
 * Writes stay in order, one in flight at a time, each with its checkpoint; a refused or failed write
 * fails the next `push` or `flush`, and the caller resumes from the store's checkpoint.
 *
 * Fed from the event store only (its pages past the model's checkpoint: a catch-up, a rebuild), whose
 * event ids are unique (a constraint of the log), so no event of a later page can have been applied
 * before: the pipeline neither asks the store for applied ids nor records them (ADR 0010, "As built:
 * one statement per batch, sent before projecting, no probe in the pipeline", and "As built: fewer rows and indexes per
 * event", item 1). What it applied is covered by its checkpoint: every feed after it (the live tail,
 * the Kafka feed) delivers only what lies past the store's checkpoint, and the store refuses a batch
 * whose checkpoint is not ahead of its own. Asked while the previous batch's write ran, the probe was
 * the costliest read of the catch-up (22,500 against 42,000 events/s on the 1M bench log, 2026-11-26);
 * recording the ids was ~6 % of it (2026-11-26).
 * Within a page, a repeated id is still skipped by the projector.
 */
export class Model2Pipeline {
  private writing: Promise<boolean> | undefined;
  private lastEnd: Checkpoint | undefined;

  private constructor(
    private readonly store: KpiModel2Store,
    private readonly resolve: UnitResolver,
    private state: Model2State,
  ) {}

  static async start(store: KpiModel2Store, resolve: UnitResolver): Promise<Model2Pipeline> {
    return new Model2Pipeline(store, resolve, await loadModel2State(store));
  }

  /** Projects the batch (its write starts before this returns, and overlaps the next push). */
  async push(events: readonly ProjectionEvent[], checkpoint: Checkpoint): Promise<void> {
    if (relocatingTeamIds(events).length > 0) await this.settle();
    // The projection below holds Node's event loop; the write in flight must have been sent in full first.
    await this.store.whenSent?.();
    const result = await projectWithReads(
      {
        appliedAmong: async () => new Set<string>(),
        // Read after the last write settled (a relocating batch waits above), so the store's answer is whole.
        teamHistory: (teamId) => this.store.teamHistory(teamId),
      },
      events,
      this.resolve,
      this.state,
    );
    // Covered by the checkpoint written with them (see above): no applied ids recorded.
    const deltas = { ...result.deltas, appliedEventIds: [] };
    // Encoded while the previous batch is still being written, so the store starts this one at once.
    this.store.prepare?.(deltas);
    await this.settle();
    this.state = result.state;
    this.lastEnd = checkpoint;
    this.writing = this.store.applyBatch(deltas, checkpoint);
    // Observed by settle(); this keeps an error from being reported as unhandled in the meantime.
    this.writing.catch(() => undefined);
  }

  /** Waits for the last write; throws if it failed or the store refused it. */
  async flush(): Promise<void> {
    await this.settle();
  }

  private async settle(): Promise<void> {
    const writing = this.writing;
    if (!writing) return;
    this.writing = undefined;
    if (!(await writing)) throw new Error(`the model-2 store refused the batch ending at ${JSON.stringify(this.lastEnd)}: its checkpoint is not behind it`);
  }

}
