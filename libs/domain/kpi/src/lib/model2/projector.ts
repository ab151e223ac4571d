import type { ActivityRecorded } from '@cdt/domain-activity';
import { PERIOD_KINDS, isCalendarDate, vietnamDate, type PeriodKind } from '@cdt/domain-shared';
import { DISTINCT_CODES, STOCK_INDICATOR, countedIndicators, registryChange, sizeOf, subjectsOf, targetOf, type Fields, type RegistryEventType } from '../activity-indicators';
import type { StockOf } from '../catalog';
import { KEY_SEPARATOR as SEP, type TargetSet, type TeamRecord } from '../deltas';
import type { ProjectionEvent } from '../projector';
import type { UnitChain, View } from '../units';
import { ChainCache } from './chains';
import { CellBuffer, indicatorIndex, materialisedKinds, type Slot } from './cells';
import type { Fact, Model2Context, Model2Result, Model2State, Model2Team, StockFact, TeamHistory } from './types';

/**
 * The model-2 projector (ADR 0010, revised 2026-11-26): a batch of events → facts, stock facts and
 * wide-cell deltas. Counts and stocks are added to the cells of each event's chains as they come, as
 * model 1 does. Distinct counts are not projected: a store counts them from the facts when asked
 * (distinctFigureRows), so every fact still places each materialised cell it touches, counted or not.
 */

interface Where {
  readonly teamId: string;
  readonly communeCode: string;
  readonly village: string;
}

const ACTIVITY_TYPES = new Set(['HouseholdVisitRecorded', 'TrainingEnrollmentRecorded', 'TrainingCompletionRecorded', 'AppInstallAssistRecorded', 'DigitalServiceAssistRecorded']);

/** A timestamp that vietnamDate accepts and that is on Vietnam's offset: its day is its date. */
const AT_VIETNAM_OFFSET = /^(\d{4}-\d{2}-\d{2})T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?\+07:00$/;

/** The values without repeats, in first-seen order: the list itself when it has none (most have one or two values). */
const distinct = (values: string[]): string[] => {
  if (values.length > 8) return [...new Set(values)];
  for (let i = 1; i < values.length; i++) {
    if (values.lastIndexOf(values[i], i - 1) !== -1) return [...new Set(values)];
  }
  return values;
};

/** The activity an event adds (+1) or a retraction takes away (−1), or undefined. */
const activityOf = (event: ProjectionEvent): { type: string; data: Fields; sign: 1 | -1 } | undefined => {
  const data = (event.data ?? {}) as Fields;
  if (ACTIVITY_TYPES.has(event.type)) return { type: event.type, data, sign: 1 };
  if (event.type !== 'ActivityRetracted') return undefined;
  const retracted = data['retracted'] as ActivityRecorded | undefined;
  return retracted ? { type: retracted.type, data: retracted.data as unknown as Fields, sign: -1 } : undefined;
};

class Model2Projection {
  private readonly teams: Record<string, TeamRecord>;
  private readonly changedTeams = new Set<string>();
  private readonly seen = new Set<string>();
  private readonly applied: string[] = [];
  private readonly targets: TargetSet[] = [];
  private readonly cells = new CellBuffer();
  private readonly inserted = new Map<string, Fact>();
  private readonly deleted = new Set<string>();
  private readonly stockFacts: StockFact[] = [];
  private readonly insertedByTeam = new Map<string, Map<string, Fact>>();
  private readonly stocksByTeam = new Map<string, StockFact[]>();
  private readonly histories = new Map<string, TeamHistory>();
  private readonly chainCache: ChainCache;
  private readonly currentChains = new WeakMap<TeamRecord, UnitChain>();
  /** Date → the day string every fact of that date shares (null: not a valid date). */
  private readonly days = new Map<string, string | null>();

  constructor(
    state: Model2State,
    private readonly events: readonly ProjectionEvent[],
    private readonly ctx: Model2Context,
  ) {
    this.teams = { ...state.teams };
    this.chainCache = new ChainCache(ctx.resolve);
  }

  run(): Model2Result {
    for (const event of this.events) {
      if (this.seen.has(event.eventId) || this.ctx.isApplied(event.eventId)) continue;
      this.seen.add(event.eventId);
      if (this.handle(event)) this.applied.push(event.eventId);
    }
    return {
      state: { teams: this.teams },
      deltas: {
        factsInserted: [...this.inserted.values()],
        factIdsDeleted: [...this.deleted],
        stockFacts: this.stockFacts,
        cells: this.cells.deltas(),
        targets: this.targets,
        teams: [...this.changedTeams].map((teamId) => this.withProvince(this.teams[teamId])),
        appliedEventIds: this.applied,
      },
    };
  }

  private handle(event: ProjectionEvent): boolean {
    const data = (event.data ?? {}) as Fields;
    switch (event.type) {
      case 'TeamEstablished':
      case 'MemberJoined':
      case 'MemberLeft':
      case 'MemberRoleChanged':
      case 'TeamDissolved':
        this.registry(event.eventId, event.type, data);
        return true;
      case 'TeamRelocated':
        this.relocate(event.eventId, data);
        return true;
      case 'TargetAssigned':
        this.target(data);
        return true;
      default: {
        const activity = activityOf(event);
        if (!activity) return false;
        this.activity(this.factOf(activity.type, activity.data), activity.sign);
        return true;
      }
    }
  }

  // ── registry: stock facts dated by `on` ──────────────────────────────────────────────────────────
  /** Registry facts dated by `on` (establishment, membership, dissolution): the team record and its stocks. */
  private registry(eventId: string, type: RegistryEventType, data: Fields): void {
    const change = registryChange(this.teams, type, data);
    if (!change) return;
    this.setTeam(change.team);
    for (const [of, delta] of change.stocks) this.stockInBothViews(eventId, change.team.teamId, change.on, of, delta);
  }

  /** As recorded the team's stocks leave the old unit on `on`; in the current view its whole history moves. */
  private relocate(eventId: string, data: Fields): void {
    const team = this.teams[String(data['teamId'])];
    if (!team || team.status !== 'active') return;
    const on = String(data['on']);
    const moved: TeamRecord = { ...team, communeCode: String(data['communeCode']), village: String(data['village']), since: on };
    const { members, youth } = sizeOf(team);
    for (const [where, sign] of [[team, -1], [moved, +1]] as const) {
      const chain = this.chainOf('as-recorded', where, on);
      for (const [of, n] of [['teams', 1], ['members', members], ['youth-union-members', youth]] as const) {
        this.stock(eventId, 'as-recorded', chain, where, on, of, sign * n, 'as-recorded-above-team');
      }
    }
    this.moveCurrent(team, moved);
    this.setTeam(moved);
  }

  /**
   * Moves the team's counts and stocks (its stored history and this batch's part of it) from its old
   * current chain to the new one, and places the new chain's cells in every period the team has a live
   * fact in (so the distinct counts a store computes there have a placed cell). Distinct counts need no
   * move: a store places facts through the team's current record when it counts them.
   */
  private moveCurrent(from: TeamRecord, to: TeamRecord): void {
    const oldChain = this.currentChain(from).filter((unit) => unit.level !== 'team');
    const newChain = this.currentChain(to).filter((unit) => unit.level !== 'team');
    const history = this.historyOf(from.teamId);
    const facts = [...history.facts.filter((f) => !this.deleted.has(f.activityId)), ...(this.insertedByTeam.get(from.teamId)?.values() ?? [])];
    const stocks = [...history.stocks, ...(this.stocksByTeam.get(from.teamId) ?? [])].filter((s) => s.teamId === from.teamId && s.scope === 'both');
    const byPeriod = new Map<string, { kind: PeriodKind; key: string; live: boolean; values: Record<string, number> }>();
    const at = (day: string, add: (entry: { live: boolean; values: Record<string, number> }) => void) => {
      const periods = this.cells.periodsOf(day);
      for (const kind of PERIOD_KINDS) {
        const id = kind + SEP + periods[kind];
        let entry = byPeriod.get(id);
        if (!entry) byPeriod.set(id, (entry = { kind, key: periods[kind], live: false, values: {} }));
        add(entry);
      }
    };
    for (const fact of facts) at(fact.day, (entry) => {
      entry.live = true;
      for (const code of fact.counts) entry.values[code] = (entry.values[code] ?? 0) + 1;
    });
    for (const stock of stocks) at(stock.day, (entry) => void (entry.values[stock.indicator] = (entry.values[stock.indicator] ?? 0) + stock.delta));
    for (const { kind, key, live, values } of byPeriod.values()) {
      const moving = Object.entries(values).filter(([code, value]) => value !== 0 && !DISTINCT_CODES.has(code));
      if (!live && moving.length === 0) continue;
      for (const [chain, sign] of [[oldChain, -1], [newChain, +1]] as const) {
        for (const unit of chain) {
          if (!materialisedKinds('current', unit.level).includes(kind)) continue;
          const slot: Slot = { acc: this.cells.cell('current', unit, kind, key), unit };
          CellBuffer.place(slot);
          for (const [code, value] of moving) CellBuffer.add(slot, indicatorIndex(code), sign * value);
        }
      }
    }
  }

  private target(data: Fields): void {
    const target = targetOf(data);
    if (target) this.targets.push(target);
  }

  // ── activities: facts, counts in the cells ──────────────────────────────────────────────────────
  private activity(fact: Fact, sign: 1 | -1): void {
    const team = this.teams[fact.teamId];
    // A team the model never saw established stays where it recorded (as in model 1).
    const current = team ? this.currentChain(team) : this.chainOf('current', fact, fact.day);
    const indexes = fact.counts.length === 1 ? indicatorIndex(fact.counts[0]) : fact.counts.map(indicatorIndex);
    this.count(this.cells.slotsOf('as-recorded', this.chainOf('as-recorded', fact, fact.day), fact.day), indexes, sign);
    this.count(this.cells.slotsOf('current', current, fact.day), indexes, sign);
    // Indexed by team as well, so a relocation finds the team's facts of the batch without a scan.
    const before = this.inserted.get(fact.activityId);
    if (before) this.insertedByTeam.get(before.teamId)?.delete(fact.activityId);
    if (sign > 0) {
      this.inserted.set(fact.activityId, fact);
      let ofTeam = this.insertedByTeam.get(fact.teamId);
      if (!ofTeam) this.insertedByTeam.set(fact.teamId, (ofTeam = new Map()));
      ofTeam.set(fact.activityId, fact);
    } else if (!this.inserted.delete(fact.activityId)) this.deleted.add(fact.activityId);
  }

  /**
   * Adds an activity's counts (indicator indexes; most activities have one, some none) to every cell of a
   * chain on its day, placing each: a cell that only a distinct figure will show still gets its placement.
   */
  private count(slots: readonly Slot[], indexes: number | readonly number[], sign: 1 | -1): void {
    for (const slot of slots) {
      CellBuffer.place(slot);
      const vec = slot.acc.vec;
      if (typeof indexes === 'number') vec[indexes] += sign;
      else for (const index of indexes) vec[index] += sign;
    }
  }

  private factOf(type: string, data: Fields): Fact {
    const communeCode = String(data['communeCode']);
    const day = this.dayOf(String(data['occurredAt']));
    const ancestors = this.ctx.resolve(communeCode, day);
    const counts: string[] = [];
    const subjects: Record<string, readonly string[]> = {};
    for (const { code, definition } of countedIndicators(type, data)) {
      if (definition.kind === 'count') counts.push(code);
      else subjects[code] = distinct(subjectsOf(definition.subject, data));
    }
    const activityId = String(data['activityId']);
    const teamId = String(data['teamId']);
    const village = String(data['village']);
    // One literal per case, not spreads: a fact is built per activity and kept until the batch is written.
    const districtCode = ancestors?.districtCode;
    const provinceCode = ancestors?.provinceCode;
    if (provinceCode === undefined) {
      return districtCode === undefined
        ? { activityId, teamId, communeCode, village, day, counts, subjects }
        : { activityId, teamId, communeCode, village, districtCode, day, counts, subjects };
    }
    return districtCode === undefined
      ? { activityId, teamId, communeCode, village, provinceCode, day, counts, subjects }
      : { activityId, teamId, communeCode, village, districtCode, provinceCode, day, counts, subjects };
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────────
  /**
   * vietnamDate, without parsing the common case: a valid timestamp at +07:00 falls on its own date
   * (whose validity is checked once per date). Anything else goes through vietnamDate. The day is one
   * string per date, so the caches keyed by day compare it by reference.
   */
  private dayOf(occurredAt: string): string {
    const match = AT_VIETNAM_OFFSET.exec(occurredAt);
    const date = match ? match[1] : vietnamDate(occurredAt);
    let day = this.days.get(date);
    if (day === undefined) this.days.set(date, (day = match && !isCalendarDate(date) ? null : date));
    return day ?? vietnamDate(occurredAt);
  }

  private stockInBothViews(eventId: string, teamId: string, on: string, of: StockOf, delta: number): void {
    const team = this.teams[teamId];
    this.stock(eventId, 'as-recorded', this.chainOf('as-recorded', team, on), team, on, of, delta, 'both');
    if (delta !== 0) this.stock(eventId, 'current', this.currentChain(team), team, on, of, delta, undefined);
  }

  /** Adds a stock change to the chain's cells; records its stock fact when `scope` is given. */
  private stock(eventId: string, view: View, chain: UnitChain, where: Where, on: string, of: StockOf, delta: number, scope: StockFact['scope'] | undefined): void {
    if (delta === 0) return;
    const indicator = STOCK_INDICATOR[of];
    const index = indicatorIndex(indicator);
    for (const slot of this.cells.slotsOf(view, chain, on)) {
      if (scope === 'as-recorded-above-team' && slot.unit.level === 'team') continue;
      CellBuffer.add(slot, index, delta);
    }
    if (scope === undefined) return;
    const ancestors = this.ctx.resolve(where.communeCode, on);
    const stockFact: StockFact = {
      eventId,
      teamId: where.teamId,
      communeCode: where.communeCode,
      village: where.village,
      ...(ancestors?.districtCode === undefined ? {} : { districtCode: ancestors.districtCode }),
      ...(ancestors?.provinceCode === undefined ? {} : { provinceCode: ancestors.provinceCode }),
      day: on,
      indicator,
      delta,
      scope,
    };
    this.stockFacts.push(stockFact);
    let ofTeam = this.stocksByTeam.get(where.teamId);
    if (!ofTeam) this.stocksByTeam.set(where.teamId, (ofTeam = []));
    ofTeam.push(stockFact);
  }

  private historyOf(teamId: string): TeamHistory {
    let history = this.histories.get(teamId);
    if (!history) this.histories.set(teamId, (history = this.ctx.teamHistory(teamId)));
    return history;
  }

  private currentChain(team: TeamRecord): UnitChain {
    let chain = this.currentChains.get(team);
    if (!chain) this.currentChains.set(team, (chain = this.chainOf('current', team, team.since)));
    return chain;
  }

  /** A batch asks for the same few chains thousands of times: built once per (view, team, commune, village, day), sharing the units from the commune up. */
  private chainOf(view: View, where: Where, on: string): UnitChain {
    return this.chainCache.chainOf(view, where, on);
  }

  private withProvince(team: TeamRecord): Model2Team {
    const provinceCode = this.ctx.resolve(team.communeCode, team.since)?.provinceCode;
    return provinceCode === undefined ? team : { ...team, provinceCode };
  }

  private setTeam(team: TeamRecord): void {
    this.teams[team.teamId] = team;
    this.changedTeams.add(team.teamId);
  }
}

/** Projects one batch into model 2: the deltas to write with the checkpoint, and the projector's next state. */
export const projectBatchModel2 = (state: Model2State, events: readonly ProjectionEvent[], ctx: Model2Context): Model2Result =>
  new Model2Projection(state, events, ctx).run();
