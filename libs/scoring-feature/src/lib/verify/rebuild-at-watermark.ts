import {
  applyDeltas,
  contributionsOf,
  emptyReadModel,
  projectBatch,
  projectorStateOf,
  type InMemoryReadModel,
  type UnitResolver,
} from '@cdt/domain-kpi';
import { START, compareCheckpoints, type Checkpoint, type EventStore } from '@cdt/event-store';

export interface RebuildProgress {
  readonly events: number;
  readonly position: Checkpoint;
}

/**
 * The KPI model exactly as it stood at a log position: every event at or before `watermark`, in log
 * order, folded with the pure projector into the in-memory reference model of @cdt/domain-kpi — no
 * read-store code involved. Later events are never read past the first page that reaches beyond the
 * watermark, so facts recorded after a run cannot change what it is checked against.
 */
export async function rebuildModelAt(
  store: EventStore,
  watermark: Checkpoint,
  resolve: UnitResolver,
  options: { pageSize?: number; onProgress?: (progress: RebuildProgress) => void } = {},
): Promise<InMemoryReadModel> {
  const model = emptyReadModel();
  let state = projectorStateOf(model);
  let after: Checkpoint = START;
  let events = 0;
  for (;;) {
    const page = await store.readAll({ after, limit: options.pageSize ?? 5_000 });
    const upTo = page.events.filter((event) => compareCheckpoints(event.position, watermark) <= 0);
    if (upTo.length > 0) {
      const result = projectBatch(state, upTo, {
        resolve,
        isApplied: (eventId) => model.applied.has(eventId),
        contributionsOf: (teamId) => contributionsOf(model, teamId),
      });
      applyDeltas(model, result.deltas);
      state = result.state;
      events += upTo.length;
      options.onProgress?.({ events, position: upTo[upTo.length - 1].position });
    }
    const reachedWatermark = upTo.length < page.events.length || compareCheckpoints(page.checkpoint, watermark) >= 0;
    if (reachedWatermark) return model;
    if (page.atHead) throw new Error(`the log ends at ${page.checkpoint.transactionId}/${page.checkpoint.globalPosition}, before the watermark ${watermark.transactionId}/${watermark.globalPosition}`);
    after = page.checkpoint;
  }
}
