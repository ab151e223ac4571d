import type { Checkpoint } from '@cdt/event-store';
import {
  relocatingTeamIds,
  type Model2Deltas,
  type Model2State,
  type ProjectionEvent,
  type UnitResolver,
} from '@cdt/domain-kpi';
import { loadModel2State, projectWithReads } from './project-into-model2';
import type { KpiModel2Store } from './kpi-model2-store.port';

/**
 * Catch-up into model 2 with the write of one batch overlapping the projection of the next: Node
 * projects batch N+1 while PostgreSQL writes batch N. The projector's reads for N+1 go to the store,
 * which may or may not hold N yet (its write is in flight), and N's applied ids are added to the store's
 * answer. A batch that relocates a team waits for the write first (a team's history is read whole, and
 * stock facts have no key to overlay by).
 * Writes stay in order, one in flight at a time, each with its checkpoint; a refused or failed write
 * fails the next `push` or `flush`, and the caller resumes from the store's checkpoint.
 */
export class Model2Pipeline {
  private writing: Promise<boolean> | undefined;
  private last: Model2Deltas | undefined;
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
    const result = await projectWithReads(
      {
        appliedAmong: (eventIds) => this.appliedAmong(eventIds),
        // Read after the last write settled (a relocating batch waits above), so the store's answer is whole.
        teamHistory: (teamId) => this.store.teamHistory(teamId),
      },
      events,
      this.resolve,
      this.state,
    );
    // Encoded while the previous batch is still being written, so the store starts this one at once.
    this.store.prepare?.(result.deltas);
    await this.settle();
    this.state = result.state;
    this.last = result.deltas;
    this.lastEnd = checkpoint;
    this.writing = this.store.applyBatch(result.deltas, checkpoint);
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

  private async appliedAmong(eventIds: readonly string[]): Promise<Set<string>> {
    const applied = await this.store.appliedAmong(eventIds);
    for (const eventId of this.last?.appliedEventIds ?? []) applied.add(eventId);
    return applied;
  }
}
