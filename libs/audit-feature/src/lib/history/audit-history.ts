import { Inject, Injectable } from '@nestjs/common';
import type { AdminUnits } from '@cdt/admin-units';
import type { UnitResolver } from '@cdt/domain-kpi';
import { EVENT_STORE, type Checkpoint, type EventStore, type RecordedEvent } from '@cdt/event-store';
import { adminUnitResolver } from '@cdt/projection-feature';
import { ADMIN_UNITS } from '@cdt/registry-feature';
import { evolveTeam, initialTeamState, isTeamEvent, type TeamState } from '@cdt/domain-registry';
import { teamStream } from '@cdt/domain-shared';
import { ProblemError } from '@cdt/platform';
import { UnitFilter } from './unit-filter';

export interface StreamHistoryQuery {
  fromVersion: number;
  limit: number;
  /** Only events recorded at or before this instant (ISO-8601). */
  asOf?: string;
}

export interface StreamHistory {
  streamName: string;
  events: RecordedEvent[];
  /** The fromVersion of the next page; absent when this page ended the stream (as of asOf). */
  nextFromVersion?: number;
}

export interface TeamAsOf {
  teamId: string;
  date: string;
  /** The instant the fold stops at: the end of `date` in Vietnam (+07:00). */
  asOf: string;
  /** The team stream version folded up to (0: nothing recorded yet). */
  version: number;
  state: TeamState;
}

export interface LogQuery {
  after: Checkpoint;
  limit: number;
  types?: string[];
  streamPrefix?: string;
  teamId?: string;
  /** A province (2 digits), pre-2025 district (3) or commune (5) code, read on each event's own day. */
  unitCode?: string;
  /** Epoch ms bounds on recordedAt, inclusive; applied to the page read, so a page may come back short. */
  fromMs?: number;
  toMs?: number;
}

export interface LogPage {
  events: RecordedEvent[];
  /** Continue from here; it moves past events the filters dropped too. */
  next: Checkpoint;
  atHead: boolean;
}

/** `activity-<teamId>-<yyyy-mm>`: the month suffix keeps `t1` from matching team `t1-x`'s streams. */
const isStreamOfTeam = (streamName: string, teamId: string): boolean => {
  if (streamName === teamStream(teamId)) return true;
  const prefix = `activity-${teamId}-`;
  return streamName.startsWith(prefix) && /^\d{4}-\d{2}$/.test(streamName.slice(prefix.length));
};

/** Read-only questions an auditor asks of the event log; nothing here writes. */
@Injectable()
export class AuditHistory {
  private readonly resolve: UnitResolver;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ADMIN_UNITS) units: AdminUnits,
  ) {
    this.resolve = adminUnitResolver(units);
  }

  /** Events exactly as stored (not upcast), so `data` and `hash` can be checked against each other. */
  async streamHistory(streamName: string, query: StreamHistoryQuery): Promise<StreamHistory> {
    const events = await this.store.readStream(streamName, { fromVersion: query.fromVersion, asOf: query.asOf, limit: query.limit + 1, raw: true });
    if (events.length === 0 && (await this.store.readStream(streamName, { limit: 1, raw: true })).length === 0) {
      throw new ProblemError({ status: 404, code: 'STREAM_NOT_FOUND', detail: `no stream ${streamName}`, field: 'streamName' });
    }
    const page = events.slice(0, query.limit);
    return events.length > query.limit ? { streamName, events: page, nextFromVersion: page[page.length - 1].streamVersion + 1 } : { streamName, events: page };
  }

  /** The team folded from the events recorded by the end of that day in Vietnam, whatever their `on` dates say. */
  async teamAsOf(teamId: string, date: string): Promise<TeamAsOf> {
    const stream = teamStream(teamId);
    // Microseconds: the store records them, and an event at 23:59:59.9995 still belongs to the day.
    const asOf = `${date}T23:59:59.999999+07:00`;
    const events = await this.store.readStream(stream, { asOf });
    if (events.length === 0 && (await this.store.readStream(stream, { limit: 1 })).length === 0) {
      throw new ProblemError({ status: 404, code: 'TEAM_NOT_FOUND', detail: `no team ${teamId}`, field: 'teamId' });
    }
    const state = events.reduce((team, event) => (isTeamEvent(event) ? evolveTeam(team, event) : team), initialTeamState);
    return { teamId, date, asOf, version: events.at(-1)?.streamVersion ?? 0, state };
  }

  /**
   * One page of the global log. Types and stream prefixes (a team is two prefixes) are filtered by the
   * store; the exact team match, a prefix combined with a team, and the recordedAt bounds are applied to
   * the page the store returned, so a page may hold fewer than `limit` events (even none) before the head.
   * A unit keeps the events of the teams in it and its targets (UnitFilter), also applied to the page.
   */
  async log(query: LogQuery): Promise<LogPage> {
    const unitStreams = query.unitCode !== undefined ? ['team-', 'activity-', 'unit-'] : undefined;
    const prefixes = query.teamId !== undefined ? [teamStream(query.teamId), `activity-${query.teamId}-`] : query.streamPrefix !== undefined ? [query.streamPrefix] : unitStreams;
    const page = await this.store.readAll({ after: query.after, limit: query.limit, raw: true, filter: { types: query.types, streamPrefixes: prefixes } });
    const keep = (event: RecordedEvent): boolean => {
      if (query.teamId !== undefined && !isStreamOfTeam(event.streamName, query.teamId)) return false;
      if (query.streamPrefix !== undefined && !event.streamName.startsWith(query.streamPrefix)) return false;
      const recordedMs = Date.parse(event.recordedAt);
      if (query.fromMs !== undefined && recordedMs < query.fromMs) return false;
      return query.toMs === undefined || recordedMs <= query.toMs;
    };
    const kept = page.events.filter(keep);
    if (query.unitCode === undefined) return { events: kept, next: page.checkpoint, atHead: page.atHead };
    const unit = new UnitFilter(this.store, this.resolve, query.unitCode);
    const inUnit = await Promise.all(kept.map((event) => unit.keeps(event)));
    return { events: kept.filter((_, i) => inUnit[i]), next: page.checkpoint, atHead: page.atHead };
  }
}
