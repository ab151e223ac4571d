import type { Checkpoint } from '@cdt/event-store';
import {
  footprintKeysOfBatch,
  projectBatchModel2,
  relocatingTeamIds,
  type Model2State,
  type ProjectionEvent,
  type TeamHistory,
  type UnitResolver,
} from '@cdt/domain-kpi';
import type { SqlKpiModel2Store } from './sql-kpi-model2-store';

/** The model-2 projector's state as the store holds it (read once at start, then carried from batch to batch). */
export const loadModel2State = async (store: SqlKpiModel2Store): Promise<Model2State> => ({
  teams: Object.fromEntries((await store.teams()).map((team) => [team.teamId, team])),
});

/**
 * One batch into model 2: read what the synchronous projector will ask (applied ids, the histories of
 * relocating teams, then the footprints those and the batch name), project, and write the deltas with
 * the checkpoint in one transaction. Returns the next state (unchanged when the store refused the batch).
 */
export async function projectIntoModel2(
  store: SqlKpiModel2Store,
  events: readonly ProjectionEvent[],
  resolve: UnitResolver,
  state: Model2State,
  checkpoint: Checkpoint,
): Promise<{ state: Model2State; applied: boolean }> {
  const applied = await store.appliedAmong(events.map((e) => e.eventId));
  const histories = new Map<string, TeamHistory>();
  for (const teamId of relocatingTeamIds(events)) histories.set(teamId, await store.teamHistory(teamId));
  const footprints = await store.footprintsOf(footprintKeysOfBatch(events, histories));
  const result = projectBatchModel2(state, events, {
    resolve,
    isApplied: (eventId) => applied.has(eventId),
    footprintsOf: () => footprints,
    teamHistory: (teamId) => {
      const history = histories.get(teamId);
      if (!history) throw new Error(`team ${teamId}'s history was not read before the batch (relocatingTeamIds missed it)`);
      return history;
    },
  });
  const written = await store.applyBatch(result.deltas, checkpoint);
  return written ? { state: result.state, applied: true } : { state, applied: false };
}
