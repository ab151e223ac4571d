import type { ActivityRecorded } from '@cdt/domain-activity';
import { PERIOD_KINDS, periodKeys, vietnamDate, type PeriodKeys, type PeriodKind } from '@cdt/domain-shared';
import { DISTINCT_CODES, STOCK_INDICATOR, countedIndicators, registryChange, sizeOf, subjectsOf, targetOf, type Fields, type RegistryEventType } from './activity-indicators';
import type { StockOf } from './catalog';
import {
  KEY_SEPARATOR as SEP,
  type CountDelta,
  type KpiDeltas,
  type RefDelta,
  type TargetSet,
  type TeamRecord,
} from './deltas';
import { unitChain, type UnitAt, type UnitChain, type UnitResolver, type View } from './units';

/**
 * The KPI projector: a batch of recorded events → additive deltas for every view, level and period.
 * Pure: the unit hierarchy, the ids already applied and the team's stored figures (needed only when a
 * team relocates) are passed in; the runner fetches them before the batch and writes the deltas, the
 * applied ids and the checkpoint in one transaction.
 */

/** The part of a RecordedEvent the projector reads. */
export interface ProjectionEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
}

/** A team's own figures in the current view (team level), as stored before the batch. */
export interface TeamContributions {
  readonly counts: readonly { periodKind: PeriodKind; periodKey: string; indicator: string; value: number }[];
  readonly refs: readonly { periodKind: PeriodKind; periodKey: string; indicator: string; subject: string; count: number }[];
}

export interface ProjectionContext {
  readonly resolve: UnitResolver;
  /** True for an event id an earlier batch already applied (the store's applied-events table). */
  readonly isApplied: (eventId: string) => boolean;
  /** Called only for teams that relocate in the batch. */
  readonly contributionsOf: (teamId: string) => TeamContributions;
}

export interface ProjectorState {
  readonly teams: Readonly<Record<string, TeamRecord>>;
}

export const initialProjectorState: ProjectorState = { teams: {} };

export interface ProjectionResult {
  readonly state: ProjectorState;
  readonly deltas: KpiDeltas;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * One cell a unit chain reaches on a day: (view, unit, period kind) with its row-key prefix. A batch
 * resolves each (chain, day) to its ~60 cells once; every event of that team and day reuses them.
 */
interface Cell {
  readonly view: View;
  readonly level: UnitAt['level'];
  readonly unitKey: string;
  readonly periodKind: PeriodKind;
  readonly periodKey: string;
  readonly placement: UnitAt['placement'];
  readonly placedOn: string;
  /** view, level, unit, period kind and key, joined: the row's key without its indicator. */
  readonly prefix: string;
}

const cellOf = (d: CountDelta | RefDelta): Cell => ({
  view: d.view,
  level: d.level,
  unitKey: d.unitKey,
  periodKind: d.periodKind,
  periodKey: d.periodKey,
  placement: d.placement,
  placedOn: d.placedOn,
  prefix: d.view + SEP + d.level + SEP + d.unitKey + SEP + d.periodKind + SEP + d.periodKey + SEP,
});

/**
 * Collects a batch's deltas, merging those that hit the same row. Hot path (hundreds of calls per
 * event): rows are found by the cell's precomputed prefix, then indicator (then subject), so a row
 * seen before costs two or three look-ups of strings whose hashes are cached, and no allocation. The
 * output lists keep the order rows first appeared in, as one flat map would.
 */
class DeltaBuffer {
  readonly counts: Mutable<CountDelta>[] = [];
  readonly refs: Mutable<RefDelta>[] = [];
  private readonly countRows = new Map<string, Map<string, Mutable<CountDelta>>>();
  private readonly refRows = new Map<string, Map<string, Map<string, Mutable<RefDelta>>>>();
  /** Current-view team-level rows per team: what a relocation in the same batch must carry along. */
  private readonly teamCounts = new Map<string, CountDelta[]>();
  private readonly teamRefs = new Map<string, RefDelta[]>();

  count(delta: CountDelta): void {
    this.addCount(cellOf(delta), delta.indicator, delta.delta);
  }

  ref(delta: RefDelta): void {
    this.addRef(cellOf(delta), delta.indicator, delta.subject, delta.delta);
  }

  addCount(cell: Cell, indicator: string, delta: number): void {
    let row = this.countRows.get(cell.prefix);
    if (!row) this.countRows.set(cell.prefix, (row = new Map()));
    const before = row.get(indicator);
    if (before) {
      before.delta += delta;
      if (cell.placedOn >= before.placedOn) [before.placement, before.placedOn] = [cell.placement, cell.placedOn];
      return;
    }
    const created = { view: cell.view, level: cell.level, unitKey: cell.unitKey, periodKind: cell.periodKind, periodKey: cell.periodKey, indicator, placement: cell.placement, placedOn: cell.placedOn, delta };
    row.set(indicator, created);
    this.counts.push(created);
    if (cell.view === 'current' && cell.level === 'team') index(this.teamCounts, cell.unitKey, created);
  }

  addRef(cell: Cell, indicator: string, subject: string, delta: number): void {
    let row = this.refRows.get(cell.prefix);
    if (!row) this.refRows.set(cell.prefix, (row = new Map()));
    let subjects = row.get(indicator);
    if (!subjects) row.set(indicator, (subjects = new Map()));
    const before = subjects.get(subject);
    if (before) {
      before.delta += delta;
      if (cell.placedOn >= before.placedOn) [before.placement, before.placedOn] = [cell.placement, cell.placedOn];
      return;
    }
    const created = { view: cell.view, level: cell.level, unitKey: cell.unitKey, periodKind: cell.periodKind, periodKey: cell.periodKey, indicator, subject, placement: cell.placement, placedOn: cell.placedOn, delta };
    subjects.set(subject, created);
    this.refs.push(created);
    if (cell.view === 'current' && cell.level === 'team') index(this.teamRefs, cell.unitKey, created);
  }

  /** The team's stored contributions plus what this batch has added to them so far. */
  contributions(teamId: string, stored: TeamContributions): TeamContributions {
    const counts = new Map(stored.counts.map((c) => [`${c.periodKind}|${c.periodKey}|${c.indicator}`, { ...c }]));
    for (const d of this.teamCounts.get(teamId) ?? []) {
      const id = `${d.periodKind}|${d.periodKey}|${d.indicator}`;
      const row = counts.get(id) ?? { periodKind: d.periodKind, periodKey: d.periodKey, indicator: d.indicator, value: 0 };
      counts.set(id, { ...row, value: row.value + d.delta });
    }
    const refs = new Map(stored.refs.map((r) => [`${r.periodKind}|${r.periodKey}|${r.indicator}|${r.subject}`, { ...r }]));
    for (const d of this.teamRefs.get(teamId) ?? []) {
      const id = `${d.periodKind}|${d.periodKey}|${d.indicator}|${d.subject}`;
      const row = refs.get(id) ?? { periodKind: d.periodKind, periodKey: d.periodKey, indicator: d.indicator, subject: d.subject, count: 0 };
      refs.set(id, { ...row, count: row.count + d.delta });
    }
    return { counts: [...counts.values()], refs: [...refs.values()] };
  }
}

const index = <T>(map: Map<string, T[]>, teamId: string, row: T): void => {
  const rows = map.get(teamId);
  if (rows) rows.push(row);
  else map.set(teamId, [row]);
};

const ALL_LEVELS = () => true;
const ABOVE_TEAM = (level: string) => level !== 'team';

class Projection {
  private readonly teams: Record<string, TeamRecord>;
  private readonly changedTeams = new Set<string>();
  private readonly seen = new Set<string>();
  private readonly buffer = new DeltaBuffer();
  private readonly targets: TargetSet[] = [];
  private readonly applied: string[] = [];
  private readonly chains = new Map<string, UnitChain>();
  private readonly periods = new Map<string, PeriodKeys>();
  private readonly cells = new Map<UnitChain, Map<string, readonly Cell[]>>();

  constructor(
    state: ProjectorState,
    private readonly ctx: ProjectionContext,
  ) {
    this.teams = { ...state.teams };
  }

  apply(event: ProjectionEvent): void {
    if (this.seen.has(event.eventId) || this.ctx.isApplied(event.eventId)) return;
    this.seen.add(event.eventId);
    if (this.handle(event.type, (event.data ?? {}) as Fields)) this.applied.push(event.eventId);
  }

  result(): ProjectionResult {
    return {
      state: { teams: this.teams },
      deltas: {
        counts: [...this.buffer.counts.values()],
        refs: [...this.buffer.refs.values()],
        targets: this.targets,
        teams: [...this.changedTeams].map((teamId) => this.teams[teamId]),
        appliedEventIds: this.applied,
      },
    };
  }

  /** Returns whether the event type is one the KPI model takes into account. */
  private handle(type: string, data: Fields): boolean {
    switch (type) {
      case 'TeamEstablished':
      case 'MemberJoined':
      case 'MemberLeft':
      case 'MemberRoleChanged':
      case 'TeamDissolved':
        this.registry(type, data);
        return true;
      case 'TeamRelocated':
        this.relocated(data);
        return true;
      case 'TargetAssigned':
        this.target(data);
        return true;
      case 'HouseholdVisitRecorded':
      case 'TrainingEnrollmentRecorded':
      case 'TrainingCompletionRecorded':
      case 'AppInstallAssistRecorded':
      case 'DigitalServiceAssistRecorded':
        this.activity(type, data, +1);
        return true;
      case 'ActivityRetracted': {
        const retracted = data['retracted'] as ActivityRecorded | undefined;
        if (!retracted) return false;
        this.activity(retracted.type, retracted.data as unknown as Fields, -1);
        return true;
      }
      default:
        return false;
    }
  }

  // ── registry facts: stocks dated by `on` ─────────────────────────────────────────────────────────



  /** Registry facts dated by `on` (establishment, membership, dissolution): the team record and its stocks. */
  private registry(type: RegistryEventType, data: Fields): void {
    const change = registryChange(this.teams, type, data);
    if (!change) return;
    this.setTeam(change.team);
    for (const [of, delta] of change.stocks) this.stockInBothViews(change.team.teamId, change.on, of, delta);
  }

  /**
   * As recorded, the team leaves its old unit and joins the new one on `on`. In the current view it
   * was always where it is now: everything it ever contributed moves to the new unit.
   */
  private relocated(data: Fields): void {
    const team = this.teams[String(data['teamId'])];
    if (!team || team.status !== 'active') return;
    const on = String(data['on']);
    const moved: TeamRecord = { ...team, communeCode: String(data['communeCode']), village: String(data['village']), since: on };
    const { members, youth } = sizeOf(team);
    const before = unitChain('as-recorded', team, on, this.ctx.resolve);
    const after = unitChain('as-recorded', moved, on, this.ctx.resolve);
    for (const [chain, sign] of [[before, -1], [after, +1]] as const) {
      this.stock('as-recorded', chain, on, 'teams', sign, ABOVE_TEAM);
      this.stock('as-recorded', chain, on, 'members', sign * members, ABOVE_TEAM);
      this.stock('as-recorded', chain, on, 'youth-union-members', sign * youth, ABOVE_TEAM);
    }
    this.moveCurrent(team, moved);
    this.setTeam(moved);
  }

  private moveCurrent(from: TeamRecord, to: TeamRecord): void {
    const oldChain = this.currentChain(from);
    const newChain = this.currentChain(to);
    const { counts, refs } = this.buffer.contributions(from.teamId, this.ctx.contributionsOf(from.teamId));
    const teamUnit = newChain[0];
    for (const row of counts) {
      const key = { view: 'current' as const, periodKind: row.periodKind, periodKey: row.periodKey, indicator: row.indicator };
      // The team's own row does not change value; it only learns its new ancestors.
      this.buffer.count({ ...key, level: 'team', unitKey: teamUnit.key, placement: teamUnit.placement, placedOn: teamUnit.placedOn, delta: 0 });
      if (DISTINCT_CODES.has(row.indicator) || row.value === 0) continue;
      for (const unit of oldChain.slice(1)) this.buffer.count({ ...key, level: unit.level, unitKey: unit.key, placement: unit.placement, placedOn: unit.placedOn, delta: -row.value });
      for (const unit of newChain.slice(1)) this.buffer.count({ ...key, level: unit.level, unitKey: unit.key, placement: unit.placement, placedOn: unit.placedOn, delta: row.value });
    }
    for (const row of refs) {
      if (row.count === 0) continue;
      const figure = { view: 'current' as const, periodKind: row.periodKind, periodKey: row.periodKey, indicator: row.indicator };
      // A distinct row of this batch may not be stored yet: its ancestors are rewritten all the same.
      this.buffer.count({ ...figure, level: 'team', unitKey: teamUnit.key, placement: teamUnit.placement, placedOn: teamUnit.placedOn, delta: 0 });
      const key = { ...figure, subject: row.subject };
      for (const unit of oldChain.slice(1)) this.buffer.ref({ ...key, level: unit.level, unitKey: unit.key, placement: unit.placement, placedOn: unit.placedOn, delta: -row.count });
      for (const unit of newChain.slice(1)) this.buffer.ref({ ...key, level: unit.level, unitKey: unit.key, placement: unit.placement, placedOn: unit.placedOn, delta: row.count });
    }
  }

  private target(data: Fields): void {
    const target = targetOf(data);
    if (target) this.targets.push(target);
  }

  // ── activities: flows dated by occurredAt ────────────────────────────────────────────────────────
  private activity(type: string, data: Fields, sign: 1 | -1): void {
    const teamId = String(data['teamId']);
    const facts = { teamId, communeCode: String(data['communeCode']), village: String(data['village']) };
    const on = vietnamDate(String(data['occurredAt']));
    const team = this.teams[teamId];
    const chains: [View, UnitChain][] = [
      ['as-recorded', this.chainOf('as-recorded', facts, on)],
      // A team the model never saw established (filtered stream, imported history) stays where it recorded.
      ['current', team ? this.currentChain(team) : this.chainOf('current', facts, on)],
    ];
    const counted = countedIndicators(type, data);
    const subjects = counted.map(({ definition }) => (definition.kind === 'distinct' ? subjectsOf(definition.subject, data) : []));
    for (const [view, chain] of chains) {
      for (const cell of this.cellsOf(view, chain, on)) {
        for (let i = 0; i < counted.length; i++) {
          const { code, definition } = counted[i];
          if (definition.kind === 'count') this.buffer.addCount(cell, code, sign);
          else for (const subject of subjects[i]) this.buffer.addRef(cell, code, subject, sign);
        }
      }
    }
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────────
  private currentChain(team: TeamRecord): UnitChain {
    return this.chainOf('current', team, team.since);
  }

  /** A batch asks for the same few chains thousands of times: resolve each (view, team, unit, day) once. */
  private chainOf(view: View, team: { teamId: string; communeCode: string; village: string }, on: string): UnitChain {
    const key = view + SEP + team.teamId + SEP + team.communeCode + SEP + team.village + SEP + on;
    let chain = this.chains.get(key);
    if (!chain) {
      chain = unitChain(view, team, on, this.ctx.resolve);
      this.chains.set(key, chain);
    }
    return chain;
  }

  /** Every (unit, period kind) cell of a chain on a day, in chain order then period order; once per batch. */
  private cellsOf(view: View, chain: UnitChain, on: string): readonly Cell[] {
    let byDay = this.cells.get(chain);
    if (!byDay) this.cells.set(chain, (byDay = new Map()));
    let cells = byDay.get(on);
    if (!cells) {
      const periods = this.periodsOf(on);
      cells = chain.flatMap((unit) =>
        PERIOD_KINDS.map((periodKind) => ({
          view,
          level: unit.level,
          unitKey: unit.key,
          periodKind,
          periodKey: periods[periodKind],
          placement: unit.placement,
          placedOn: unit.placedOn,
          prefix: view + SEP + unit.level + SEP + unit.key + SEP + periodKind + SEP + periods[periodKind] + SEP,
        })),
      );
      byDay.set(on, cells);
    }
    return cells;
  }

  private periodsOf(on: string): PeriodKeys {
    let periods = this.periods.get(on);
    if (!periods) {
      periods = periodKeys(on);
      this.periods.set(on, periods);
    }
    return periods;
  }

  private stockInBothViews(teamId: string, on: string, of: StockOf, delta: number): void {
    const team = this.teams[teamId];
    this.stock('as-recorded', unitChain('as-recorded', team, on, this.ctx.resolve), on, of, delta, ALL_LEVELS);
    this.stock('current', this.currentChain(team), on, of, delta, ALL_LEVELS);
  }

  private stock(view: View, chain: UnitChain, on: string, of: StockOf, delta: number, levels: (level: string) => boolean): void {
    if (delta === 0) return;
    const periods = periodKeys(on);
    for (const unit of chain) {
      if (!levels(unit.level)) continue;
      for (const periodKind of PERIOD_KINDS) {
        this.buffer.count({ view, level: unit.level, unitKey: unit.key, periodKind, periodKey: periods[periodKind], indicator: STOCK_INDICATOR[of], placement: unit.placement, placedOn: unit.placedOn, delta });
      }
    }
  }

  private setTeam(team: TeamRecord): void {
    this.teams[team.teamId] = team;
    this.changedTeams.add(team.teamId);
  }
}

/** Projects one batch: the deltas to write (with the checkpoint) and the projector's next state. */
export const projectBatch = (
  state: ProjectorState,
  events: readonly ProjectionEvent[],
  ctx: ProjectionContext,
): ProjectionResult => {
  const projection = new Projection(state, ctx);
  for (const event of events) projection.apply(event);
  return projection.result();
};
