import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@cdt/event-store';
import { evolveTeam, initialTeamState, isTeamEvent, type TeamState } from '@cdt/domain-registry';
import { teamStream } from '@cdt/domain-shared';

export interface TeamSnapshot {
  readonly state: TeamState;
  /** Version of the team stream the state was folded up to. */
  readonly version: number;
}

/** Enough for every team of a large province; the oldest entries make room for new ones. */
const DEFAULT_CAPACITY = 20_000;

/**
 * The current state of teams, for scope checks and for every activity the team records. Each load
 * reads only the events appended since the cached version (one small query), so the answer is as fresh
 * as a full fold while a busy team's history is folded once.
 */
@Injectable()
export class TeamDirectory {
  private readonly cache = new Map<string, TeamSnapshot>();

  private readonly capacity = DEFAULT_CAPACITY;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async load(teamId: string): Promise<TeamSnapshot> {
    const stream = teamStream(teamId);
    const cached = this.cache.get(teamId) ?? { state: initialTeamState, version: 0 };
    const newer = await this.store.readStream(stream, { fromVersion: cached.version + 1 });
    if (newer.length === 0 && this.cache.has(teamId)) return cached;
    const snapshot: TeamSnapshot = {
      state: newer.reduce((state, event) => (isTeamEvent(event) ? evolveTeam(state, event) : state), cached.state),
      version: newer.at(-1)?.streamVersion ?? cached.version,
    };
    // Only established teams are worth keeping; re-inserting moves the team to the young end.
    this.cache.delete(teamId);
    if (snapshot.state.status !== 'none') {
      this.cache.set(teamId, snapshot);
      if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value as string);
    }
    return snapshot;
  }
}
