import type { Checkpoint } from '@cdt/event-store';
import { projectBatch, type ProjectionEvent, type ProjectorState, type TeamContributions, type UnitResolver } from '@cdt/domain-kpi';
import type { KpiReadStore } from './read-store.port';

/** The projector's state as the store holds it (read once at start, then carried from batch to batch). */
export const loadProjectorState = async (store: KpiReadStore): Promise<ProjectorState> => ({
  teams: Object.fromEntries((await store.teams()).map((team) => [team.teamId, team])),
});

/**
 * One batch, store side: fetch what the pure projector needs (ids already applied, the stored figures
 * of teams that relocate in the batch), project, and write deltas + checkpoint in one transaction.
 * Returns the state for the next batch (unchanged when the store had applied this batch already).
 */
export async function projectIntoStore(
  store: KpiReadStore,
  state: ProjectorState,
  events: readonly ProjectionEvent[],
  checkpoint: Checkpoint,
  resolve: UnitResolver,
): Promise<{ state: ProjectorState; applied: boolean }> {
  const applied = await store.appliedAmong(events.map((e) => e.eventId));
  const relocating = [...new Set(events.filter((e) => e.type === 'TeamRelocated').map((e) => String((e.data as { teamId?: unknown }).teamId)))];
  const contributions = new Map<string, TeamContributions>();
  for (const teamId of relocating) contributions.set(teamId, await store.contributionsOf(teamId));
  const result = projectBatch(state, events, {
    resolve,
    isApplied: (eventId) => applied.has(eventId),
    contributionsOf: (teamId) => contributions.get(teamId) ?? { counts: [], refs: [] },
  });
  const written = await store.applyBatch(result.deltas, checkpoint);
  return written ? { state: result.state, applied: true } : { state, applied: false };
}
