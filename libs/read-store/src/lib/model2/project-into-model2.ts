import type { Checkpoint } from '@cdt/event-store';
import {
  projectBatchModel2,
  relocatingTeamIds,
  type Model2Result,
  type Model2State,
  type ProjectionEvent,
  type TeamHistory,
  type UnitResolver,
} from '@cdt/domain-kpi';
import type { KpiModel2Store } from './kpi-model2-store.port';

/** The model-2 projector's state as the store holds it (read once at start, then carried from batch to batch). */
export const loadModel2State = async (store: Pick<KpiModel2Store, 'teams'>): Promise<Model2State> => ({
  teams: Object.fromEntries((await store.teams()).map((team) => [team.teamId, team])),
});

/** What the projector reads before a batch, as at the store's checkpoint (a pipeline lays its in-flight batch over them). */
export interface Model2Reads {
  appliedAmong(eventIds: readonly string[]): Promise<Set<string>>;
  teamHistory(teamId: string): Promise<TeamHistory>;
}

/** Reads what the synchronous projector will ask (applied ids, the histories of relocating teams) and projects the batch. */
export async function projectWithReads(reads: Model2Reads, events: readonly ProjectionEvent[], resolve: UnitResolver, state: Model2State): Promise<Model2Result> {
  const histories = new Map<string, TeamHistory>();
  const [applied] = await Promise.all([
    reads.appliedAmong(events.map((e) => e.eventId)),
    (async () => {
      for (const teamId of relocatingTeamIds(events)) histories.set(teamId, await reads.teamHistory(teamId));
    })(),
  ]);
  return projectBatchModel2(state, events, {
    resolve,
    isApplied: (eventId) => applied.has(eventId),
    teamHistory: (teamId) => {
      const history = histories.get(teamId);
      if (!history) throw new Error(`team ${teamId}'s history was not read before the batch (relocatingTeamIds missed it)`);
      return history;
    },
  });
}

/**
 * One batch into model 2: its reads, the projection, and the deltas written with the checkpoint in one
 * transaction. Returns the next state (unchanged when the store refused the batch).
 */
export async function projectIntoModel2(
  store: KpiModel2Store,
  events: readonly ProjectionEvent[],
  resolve: UnitResolver,
  state: Model2State,
  checkpoint: Checkpoint,
): Promise<{ state: Model2State; applied: boolean }> {
  const result = await projectWithReads(store, events, resolve, state);
  const written = await store.applyBatch(result.deltas, checkpoint);
  return written ? { state: result.state, applied: true } : { state, applied: false };
}
