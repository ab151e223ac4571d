import {
  indicatorByCode,
  initialProjectorState,
  projectBatch,
  unitChain,
  type FigureKey,
  type Level,
  type ProjectorState,
  type UnitResolver,
  type View,
} from '@cdt/domain-kpi';
import { parsePeriod, type PeriodKind } from '@cdt/domain-shared';
import type { Checkpoint, RecordedEvent } from '@cdt/event-store';

/**
 * The events behind one KPI figure, found the honest way: the log is replayed through the same pure
 * projector that builds the read model, one event at a time, and every event whose deltas touch the
 * figure's row is kept with what it added. So the evidence sums to the figure by construction of the
 * projector, not by a second definition of the indicator that could drift from it.
 */

export type EvidenceKind = 'count' | 'distinct' | 'stock';

export interface EvidenceKey {
  view: View;
  level: Level;
  unitKey: string;
  period: string;
  indicator: string;
}

export interface EvidenceItem {
  eventId: string;
  type: string;
  streamName: string;
  streamVersion: number;
  position: Checkpoint;
  occurredAt: string;
  recordedAt: string;
  teamId?: string;
  /** What the event added to the figure's row (a retraction: −1; a stock: the sum over the periods up to this one). */
  effect: number;
  /** Distinct indicators: the pseudonymous subjects the event adds (+1) or takes back (−1). */
  subjects?: { subject: string; effect: number }[];
  /** An ActivityRetracted: the event id of the activity it takes back. */
  retracts?: string;
  /** An activity that a later retraction in the evidence takes back. */
  retractedBy?: string;
}

export interface Evidence {
  kind: EvidenceKind;
  /** The figure the evidence adds up to: Σ effect, or the subjects with a positive net for a distinct count. */
  figure: number;
  items: EvidenceItem[];
  eventsScanned: number;
}

/** Indicators stored as rows can be explained by events; ratios and coverage are derived at query time. */
export function evidenceKindOf(indicatorCode: string): EvidenceKind | undefined {
  const kind = indicatorByCode(indicatorCode)?.definition.kind;
  return kind === 'count' || kind === 'distinct' || kind === 'stock' ? kind : undefined;
}

const REGISTRY_TYPES = ['TeamEstablished', 'TeamRelocated', 'TeamDissolved'];
const MEMBERSHIP_TYPES = ['MemberJoined', 'MemberLeft', 'MemberRoleChanged'];

/**
 * The event types that can move the figure (a filter for the log scan): the indicator's activities and
 * their retractions; for stocks, the registry facts; in the current view also the facts that say where
 * a team is today.
 */
export function evidenceEventTypes(indicatorCode: string, view: View): string[] {
  const definition = indicatorByCode(indicatorCode)?.definition;
  if (!definition) return [];
  if (definition.kind === 'stock') return [...REGISTRY_TYPES, ...MEMBERSHIP_TYPES];
  if (definition.kind !== 'count' && definition.kind !== 'distinct') return [];
  const activities = [...new Set(definition.matches.map((match) => match.event))];
  return [...activities, 'ActivityRetracted', ...(view === 'current' ? REGISTRY_TYPES : [])];
}

interface Contribution {
  effect: number;
  subjects: Map<string, number>;
}

interface Candidate {
  item: Omit<EvidenceItem, 'effect' | 'subjects'>;
  /** Deltas on the figure's own row. */
  direct: Contribution;
  /** Current view: deltas on the team's own row, which follow the team to wherever it is at the end. */
  team?: { teamId: string; contribution: Contribution };
}

const empty = (c: Contribution): boolean => c.effect === 0 && [...c.subjects.values()].every((n) => n === 0);

export class EvidenceCollector {
  private state: ProjectorState = initialProjectorState;
  private readonly candidates: Candidate[] = [];
  private readonly periodKind: PeriodKind;
  private scanned = 0;

  constructor(
    private readonly key: EvidenceKey,
    private readonly kind: EvidenceKind,
    private readonly resolve: UnitResolver,
  ) {
    const kind2 = parsePeriod(key.period)?.kind;
    if (!kind2) throw new Error(`${key.period} is not a period key`);
    this.periodKind = kind2;
  }

  private inPeriod(row: Pick<FigureKey, 'periodKind' | 'periodKey' | 'indicator'>): boolean {
    if (row.indicator !== this.key.indicator || row.periodKind !== this.periodKind) return false;
    return this.kind === 'stock' ? row.periodKey <= this.key.period : row.periodKey === this.key.period;
  }

  /** Events in log order, as the projector sees them (upcast). */
  add(event: RecordedEvent): void {
    this.scanned += 1;
    const { state, deltas } = projectBatch(this.state, [event], {
      resolve: this.resolve,
      isApplied: () => false,
      // A relocation's moves in the current view are not read here: team rows are followed instead.
      contributionsOf: () => ({ counts: [], refs: [] }),
    });
    this.state = state;
    const direct: Contribution = { effect: 0, subjects: new Map() };
    let team: Candidate['team'];
    const add = (into: Contribution, delta: number, subject?: string) => {
      if (subject === undefined) into.effect += delta;
      else into.subjects.set(subject, (into.subjects.get(subject) ?? 0) + delta);
    };
    const visit = (row: FigureKey, delta: number, subject?: string) => {
      if (row.view !== this.key.view || !this.inPeriod(row)) return;
      if (row.level === this.key.level && row.unitKey === this.key.unitKey) add(direct, delta, subject);
      if (this.key.view === 'current' && row.level === 'team') {
        team ??= { teamId: row.unitKey, contribution: { effect: 0, subjects: new Map() } };
        add(team.contribution, delta, subject);
      }
    };
    if (this.kind === 'distinct') for (const ref of deltas.refs) visit(ref, ref.delta, ref.subject);
    else for (const count of deltas.counts) visit(count, count.delta);
    if (empty(direct) && (!team || empty(team.contribution))) return;
    const data = (event.data ?? {}) as Record<string, unknown>;
    const retracted = event.type === 'ActivityRetracted' ? ((data['retracted'] as { data?: Record<string, unknown> } | undefined)?.data?.['activityId'] ?? data['activityId']) : undefined;
    this.candidates.push({
      item: {
        eventId: event.eventId,
        type: event.type,
        streamName: event.streamName,
        streamVersion: event.streamVersion,
        position: event.position,
        occurredAt: event.metadata.occurredAt,
        recordedAt: event.recordedAt,
        ...(typeof data['teamId'] === 'string' ? { teamId: data['teamId'] } : {}),
        ...(typeof retracted === 'string' ? { retracts: retracted } : {}),
      },
      direct,
      team,
    });
  }

  /** The evidence as of the last event added. In the current view a team's rows count where the team is now. */
  finish(): Evidence {
    const inUnit = new Map<string, boolean>();
    const teamIsInUnit = (teamId: string): boolean | undefined => {
      const team = this.state.teams[teamId];
      if (!team) return undefined;
      let answer = inUnit.get(teamId);
      if (answer === undefined) {
        answer = unitChain('current', team, team.since, this.resolve).some((unit) => unit.level === this.key.level && unit.key === this.key.unitKey);
        inUnit.set(teamId, answer);
      }
      return answer;
    };
    const items: EvidenceItem[] = [];
    const net = new Map<string, number>();
    let sum = 0;
    for (const candidate of this.candidates) {
      let contribution = candidate.direct;
      if (this.key.view === 'current' && candidate.team) {
        const followed = teamIsInUnit(candidate.team.teamId);
        // A team the projector never saw established stays where its activities said (as the projector does).
        if (followed !== undefined) contribution = followed ? candidate.team.contribution : { effect: 0, subjects: new Map() };
      }
      if (empty(contribution)) continue;
      const subjects = [...contribution.subjects].filter(([, n]) => n !== 0).map(([subject, effect]) => ({ subject, effect }));
      for (const { subject, effect } of subjects) net.set(subject, (net.get(subject) ?? 0) + effect);
      sum += contribution.effect;
      const effect = this.kind === 'distinct' ? subjects.reduce((total, s) => total + s.effect, 0) : contribution.effect;
      items.push({ ...candidate.item, effect, ...(this.kind === 'distinct' ? { subjects } : {}) });
    }
    const byId = new Map(items.map((item) => [item.eventId, item]));
    for (const item of items) {
      const original = item.retracts === undefined ? undefined : byId.get(item.retracts);
      if (original) original.retractedBy = item.eventId;
    }
    const figure = this.kind === 'distinct' ? [...net.values()].filter((n) => n > 0).length : sum;
    return { kind: this.kind, figure, items, eventsScanned: this.scanned };
  }
}
