import { Inject, Injectable } from '@nestjs/common';
import { hierarchyOn, type Hierarchy } from '@cdt/admin-units';
import { EVENT_STORE, LogFollower, type EventStore } from '@cdt/event-store';
import { currentUnit, evolveTeam, initialTeamState, isTeamEvent, type EstablishedTeam, type TeamEvent, type TeamState } from '@cdt/domain-registry';
import { teamStream } from '@cdt/domain-shared';

/** Derived from the helper, so the view follows a rename of the team stream. */
const TEAM_STREAM_PREFIX = teamStream('0').slice(0, -1);

/** Only the facts that move a team between communes or end it; membership does not matter here. */
const UNIT_FACTS: TeamEvent['type'][] = ['TeamEstablished', 'TeamRelocated', 'TeamDissolved'];

const PAGE_SIZE = 1_000;

/** A code means a commune only inside its hierarchy ('00004' is two different wards), so keys carry both. */
const communeKey = (hierarchy: Hierarchy, communeCode: string): string => `${hierarchy}:${communeCode}`;

/**
 * The active teams of each commune, as an in-memory view of the log. Built from the start of the log
 * on first use after the process starts (nothing is persisted), then caught up from its checkpoint
 * before every answer, so a query sees every registry fact visible in the store at the time it asks.
 * Reads only TeamEstablished / TeamRelocated / TeamDissolved of `team-` streams, in commit order.
 * The log is read gap-safely, like every reader of it: on PostgreSQL a fact committed while an older
 * transaction of the server is still open appears on a later query, never out of order. Callers that
 * must see a team's latest state read its stream (TeamDirectory) instead.
 */
@Injectable()
export class TeamsByCommune {
  private readonly teams = new Map<string, EstablishedTeam>();

  private readonly byCommune = new Map<string, Set<string>>();

  private readonly follower: LogFollower;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.follower = new LogFollower(store, {
      filter: { streamPrefixes: [TEAM_STREAM_PREFIX], types: UNIT_FACTS },
      pageSize: PAGE_SIZE,
      apply: (event) => {
        if (isTeamEvent(event)) this.apply(event);
      },
    });
  }

  /** Active teams whose current unit is this commune of this hierarchy, by team id. */
  async activeTeamsIn(hierarchy: Hierarchy, communeCode: string): Promise<EstablishedTeam[]> {
    await this.catchUp();
    return this.teamsOf(communeKey(hierarchy, communeCode));
  }

  /** Every commune of a hierarchy that has at least one active team, with those teams. */
  async activeTeamsByCommune(hierarchy: Hierarchy): Promise<Map<string, EstablishedTeam[]>> {
    await this.catchUp();
    const prefix = communeKey(hierarchy, '');
    const result = new Map<string, EstablishedTeam[]>();
    for (const key of this.byCommune.keys()) {
      if (key.startsWith(prefix)) result.set(key.slice(prefix.length), this.teamsOf(key));
    }
    return result;
  }

  /** Catch-ups run one after another: each starts from where the previous one stopped. */
  catchUp(): Promise<void> {
    return this.follower.catchUp();
  }

  private teamsOf(key: string): EstablishedTeam[] {
    const ids = [...(this.byCommune.get(key) ?? [])].sort();
    return ids.map((id) => this.teams.get(id)).filter((team): team is EstablishedTeam => team !== undefined);
  }

  private apply(event: TeamEvent): void {
    const teamId = event.data.teamId;
    const before: TeamState = this.teams.get(teamId) ?? initialTeamState;
    const after = evolveTeam(before, event);
    if (after === before || after.status === 'none') return;
    if (before.status !== 'none') this.unindex(before);
    this.teams.set(teamId, after);
    if (after.status === 'active') this.index(after);
  }

  private keyOf(team: EstablishedTeam): string {
    const unit = currentUnit(team);
    return communeKey(hierarchyOn(unit.from), unit.communeCode);
  }

  private index(team: EstablishedTeam): void {
    const key = this.keyOf(team);
    const ids = this.byCommune.get(key) ?? new Set<string>();
    ids.add(team.teamId);
    this.byCommune.set(key, ids);
  }

  private unindex(team: EstablishedTeam): void {
    const key = this.keyOf(team);
    const ids = this.byCommune.get(key);
    ids?.delete(team.teamId);
    if (ids?.size === 0) this.byCommune.delete(key);
  }
}
