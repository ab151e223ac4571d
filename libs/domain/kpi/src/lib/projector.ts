import type { ActivityRecorded } from '@cdt/domain-activity';
import { PERIOD_KINDS, periodKeys, vietnamDate, type PeriodKeys, type PeriodKind } from '@cdt/domain-shared';
import { INDICATORS, type ActivityMatch, type Indicator, type StockOf, type SubjectField } from './catalog';
import {
  KEY_SEPARATOR as SEP,
  figureKeyString,
  refKeyString,
  type CountDelta,
  type KpiDeltas,
  type RefDelta,
  type TargetSet,
  type TeamRecord,
} from './deltas';
import { levelOfUnitCode, unitChain, type UnitChain, type UnitResolver, type View } from './units';

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

const STOCK_INDICATOR: Record<StockOf, string> = {
  teams: 'teams-registered',
  members: 'members-registered',
  'youth-union-members': 'youth-union-members',
};

const DISTINCT_CODES = new Set(INDICATORS.filter((i) => i.definition.kind === 'distinct').map((i) => i.code));

type Fields = Record<string, unknown>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const matches = (match: ActivityMatch, type: string, data: Fields): boolean => {
  if (match.event !== type) return false;
  if (match.equals && data[match.equals.field] !== match.equals.value) return false;
  if (match.includes) {
    const list = data[match.includes.field];
    if (!Array.isArray(list) || !list.includes(match.includes.value)) return false;
  }
  return true;
};

const subjectsOf = (subject: SubjectField, data: Fields): string[] => {
  const value = data[subject.field];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
};

const ACTIVITY_INDICATORS = INDICATORS.filter(
  (i): i is Indicator & { definition: { kind: 'count' | 'distinct' } } =>
    i.definition.kind === 'count' || i.definition.kind === 'distinct',
);

/** The activity indicators each event type can move, so an event checks only its own. */
const INDICATORS_BY_EVENT: ReadonlyMap<string, typeof ACTIVITY_INDICATORS> = new Map(
  [...new Set(ACTIVITY_INDICATORS.flatMap((i) => i.definition.matches.map((m) => m.event)))].map((event) => [
    event,
    ACTIVITY_INDICATORS.filter((i) => i.definition.matches.some((m) => m.event === event)),
  ]),
);

/** Collects a batch's deltas, merging those that hit the same row. */
class DeltaBuffer {
  readonly counts = new Map<string, CountDelta>();
  readonly refs = new Map<string, RefDelta>();
  /** Current-view team-level keys per team: what a relocation in the same batch must carry along. */
  private readonly teamCountKeys = new Map<string, Set<string>>();
  private readonly teamRefKeys = new Map<string, Set<string>>();

  count(delta: CountDelta): void {
    this.addCount(figureKeyString(delta), delta);
  }

  ref(delta: RefDelta): void {
    this.addRef(refKeyString(delta), delta);
  }

  // Hot path (hundreds of calls per event): the caller builds the key; a row seen before is merged in
  // place, so the delta object is only read (and copied) the first time its row appears in the batch.
  addCount(key: string, delta: CountDelta): void {
    const before = this.counts.get(key) as Mutable<CountDelta> | undefined;
    if (before) {
      before.delta += delta.delta;
      if (delta.placedOn >= before.placedOn) [before.placement, before.placedOn] = [delta.placement, delta.placedOn];
      return;
    }
    this.counts.set(key, { ...delta });
    if (delta.view === 'current' && delta.level === 'team') index(this.teamCountKeys, delta.unitKey, key);
  }

  addRef(key: string, delta: RefDelta): void {
    const before = this.refs.get(key) as Mutable<RefDelta> | undefined;
    if (before) {
      before.delta += delta.delta;
      if (delta.placedOn >= before.placedOn) [before.placement, before.placedOn] = [delta.placement, delta.placedOn];
      return;
    }
    this.refs.set(key, { ...delta });
    if (delta.view === 'current' && delta.level === 'team') index(this.teamRefKeys, delta.unitKey, key);
  }

  /** The team's stored contributions plus what this batch has added to them so far. */
  contributions(teamId: string, stored: TeamContributions): TeamContributions {
    const counts = new Map(stored.counts.map((c) => [`${c.periodKind}|${c.periodKey}|${c.indicator}`, { ...c }]));
    for (const key of this.teamCountKeys.get(teamId) ?? []) {
      const d = this.counts.get(key);
      if (!d) continue;
      const id = `${d.periodKind}|${d.periodKey}|${d.indicator}`;
      const row = counts.get(id) ?? { periodKind: d.periodKind, periodKey: d.periodKey, indicator: d.indicator, value: 0 };
      counts.set(id, { ...row, value: row.value + d.delta });
    }
    const refs = new Map(stored.refs.map((r) => [`${r.periodKind}|${r.periodKey}|${r.indicator}|${r.subject}`, { ...r }]));
    for (const key of this.teamRefKeys.get(teamId) ?? []) {
      const d = this.refs.get(key);
      if (!d) continue;
      const id = `${d.periodKind}|${d.periodKey}|${d.indicator}|${d.subject}`;
      const row = refs.get(id) ?? { periodKind: d.periodKind, periodKey: d.periodKey, indicator: d.indicator, subject: d.subject, count: 0 };
      refs.set(id, { ...row, count: row.count + d.delta });
    }
    return { counts: [...counts.values()], refs: [...refs.values()] };
  }
}

const index = (map: Map<string, Set<string>>, teamId: string, key: string): void => {
  const keys = map.get(teamId) ?? new Set<string>();
  keys.add(key);
  map.set(teamId, keys);
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
        this.established(data);
        return true;
      case 'MemberJoined':
      case 'MemberLeft':
      case 'MemberRoleChanged':
        this.membership(type, data);
        return true;
      case 'TeamRelocated':
        this.relocated(data);
        return true;
      case 'TeamDissolved':
        this.dissolved(data);
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
  private established(data: Fields): void {
    const teamId = String(data['teamId']);
    if (this.teams[teamId]) return;
    const on = String(data['on']);
    this.setTeam({ teamId, communeCode: String(data['communeCode']), village: String(data['village']), since: on, status: 'active', members: {} });
    this.stockInBothViews(teamId, on, 'teams', +1);
  }

  private membership(type: 'MemberJoined' | 'MemberLeft' | 'MemberRoleChanged', data: Fields): void {
    const team = this.teams[String(data['teamId'])];
    if (!team || team.status !== 'active') return;
    const memberId = String(data['memberId']);
    const on = String(data['on']);
    const wasIn = Object.hasOwn(team.members, memberId);
    const wasYouth = wasIn && team.members[memberId];
    const members = { ...team.members };
    if (type === 'MemberLeft') delete members[memberId];
    else members[memberId] = data['youthUnion'] === true;
    if (type === 'MemberRoleChanged' && !wasIn) return;
    const isIn = Object.hasOwn(members, memberId);
    const isYouth = isIn && members[memberId];
    this.setTeam({ ...team, members });
    this.stockInBothViews(team.teamId, on, 'members', Number(isIn) - Number(wasIn));
    this.stockInBothViews(team.teamId, on, 'youth-union-members', Number(isYouth) - Number(wasYouth));
  }

  private dissolved(data: Fields): void {
    const team = this.teams[String(data['teamId'])];
    if (!team || team.status !== 'active') return;
    const on = String(data['on']);
    const { members, youth } = sizeOf(team);
    this.setTeam({ ...team, status: 'dissolved', members: {} });
    this.stockInBothViews(team.teamId, on, 'teams', -1);
    this.stockInBothViews(team.teamId, on, 'members', -members);
    this.stockInBothViews(team.teamId, on, 'youth-union-members', -youth);
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
    const unitKey = String(data['unitCode']);
    const level = levelOfUnitCode(unitKey);
    const value = data['value'];
    if (level === undefined || typeof value !== 'number') return;
    this.targets.push({ level, unitKey, indicator: String(data['indicatorCode']), period: String(data['period']), value });
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
    const periods = this.periodsOf(on);
    const counted = (INDICATORS_BY_EVENT.get(type) ?? []).filter(({ definition }) => definition.matches.some((match) => matches(match, type, data)));
    const subjects = counted.map(({ definition }) => (definition.kind === 'distinct' ? subjectsOf(definition.subject, data) : []));
    for (const [view, chain] of chains) {
      for (const unit of chain) {
        const prefix = view + SEP + unit.level + SEP + unit.key + SEP;
        for (const periodKind of PERIOD_KINDS) {
          const periodKey = periods[periodKind];
          const figurePrefix = prefix + periodKind + SEP + periodKey + SEP;
          for (let i = 0; i < counted.length; i++) {
            const { code, definition } = counted[i];
            const key = figurePrefix + code;
            const delta = { view, level: unit.level, unitKey: unit.key, periodKind, periodKey, indicator: code, placement: unit.placement, placedOn: unit.placedOn, delta: sign };
            if (definition.kind === 'count') this.buffer.addCount(key, delta);
            else for (const subject of subjects[i]) this.buffer.addRef(key + SEP + subject, { ...delta, subject });
          }
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

const sizeOf = (team: TeamRecord): { members: number; youth: number } => {
  const flags = Object.values(team.members);
  return { members: flags.length, youth: flags.filter(Boolean).length };
};

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
