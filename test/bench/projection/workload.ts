import type { AdminUnits } from '@cdt/admin-units';
import { activityStream, teamStream, unitStream } from '@cdt/domain-shared';
import type { NewEvent } from '@cdt/event-store';
import { pseudonymousRef } from '@cdt/pseudonym';
import { SeededRandom, daysEndingOn, planActivities, planTeams, type PlannedActivity, type PlannedTeam } from '@cdt/simulation';

/** Refs are computed as a client would; this key is for benchmarks only (docs/privacy/refs.md). */
const BENCH_REF_KEY = 'cdt-benchmark-ref-key-not-for-real-citizens-0001';

/** The first day of the 34-province map; the relocating cohort moves onto it. */
const REFORM_DAY = '2025-07-01';
/** The relocating cohort works on the old map for this many days before the reform. */
const DAYS_BEFORE_REFORM = 30;

const EVENT_TYPE_OF: Record<PlannedActivity['kind'], string> = {
  'household-visit': 'HouseholdVisitRecorded',
  'training-enrollment': 'TrainingEnrollmentRecorded',
  'training-completion': 'TrainingCompletionRecorded',
  'app-install-assist': 'AppInstallAssistRecorded',
  'digital-service-assist': 'DigitalServiceAssistRecorded',
};

export interface ProjectionWorkloadOptions {
  /** Events to generate (at least; the last day is completed). */
  events: number;
  /** 2025 province codes whose communes get the teams. */
  provinces: readonly string[];
  teams: number;
  perTeamPerDay: number;
  /** Share of activities retracted a few days later. */
  retractShare: number;
  /** Share of teams that start on the old (pre-2025) map and relocate on 2025-07-01. */
  relocateShare: number;
  seed: number;
}

/** One append: the events of one stream, in order. */
export interface Append {
  stream: string;
  events: NewEvent[];
}

interface Team extends PlannedTeam {
  /** Where the relocating cohort sits before the reform (an old commune that merged into `communeCode`). */
  before?: { communeCode: string; village: string };
}

/**
 * The log a province's teams would produce, generated straight into appends (no HTTP): teams with
 * their members, the provinces' monthly targets, then day after day each team's field work as the
 * sync hub forwards it (one append per team-day), with some activities retracted a few days later.
 * A small cohort works on the old map in June 2025 and relocates to its successor commune on
 * 2025-07-01 (real codes from admin units), so the current view has history to move.
 * Streams out in log order, so a million events never sit in memory at once.
 */
export function* projectionLog(units: AdminUnits, options: ProjectionWorkloadOptions): Generator<Append> {
  const random = new SeededRandom(options.seed);
  const ref = (identifier: string) => pseudonymousRef(identifier, BENCH_REF_KEY);
  const teams = planCohorts(units, options, random);
  const cohort = teams.filter((t) => t.before);
  const meta = (occurredAt: string) => ({ occurredAt, actor: 'bench-projection', correlationId: random.uuid() });
  let emitted = 0;
  const emit = (append: Append): Append => {
    emitted += append.events.length;
    return append;
  };

  const preReformDays = cohort.length > 0 ? daysEndingOn(dayBefore(REFORM_DAY), DAYS_BEFORE_REFORM) : [];
  for (const team of teams) {
    const on = team.before ? preReformDays[0] : REFORM_DAY;
    const where = team.before ?? team;
    yield emit({
      stream: teamStream(team.teamId),
      events: [
        { eventId: random.uuid(), type: 'TeamEstablished', schemaVersion: 1, data: { teamId: team.teamId, communeCode: where.communeCode, village: where.village, on }, metadata: meta(`${on}T08:00:00+07:00`) },
        ...team.members.map((m): NewEvent => ({
          eventId: random.uuid(), type: 'MemberJoined', schemaVersion: 1,
          data: { teamId: team.teamId, memberId: m.memberId, role: m.role, youthUnion: m.youthUnion, on }, metadata: meta(`${on}T08:00:00+07:00`),
        })),
      ],
    });
  }

  const perDay = options.teams * options.perTeamPerDay;
  const dayCount = Math.ceil(options.events / perDay) + 1;
  const days = Array.from({ length: dayCount }, (_, i) => addDays(REFORM_DAY, i));
  for (const province of options.provinces) {
    for (const month of new Set(days.map((d) => d.slice(0, 7)))) {
      yield emit({
        stream: unitStream(province),
        events: [
          { eventId: random.uuid(), type: 'TargetAssigned', schemaVersion: 1, data: { unitCode: province, indicatorCode: 'app-install.vneid', period: month, value: 2_000 }, metadata: meta(`${month}-01T08:00:00+07:00`) },
          { eventId: random.uuid(), type: 'TargetAssigned', schemaVersion: 1, data: { unitCode: province, indicatorCode: 'households-reached', period: month, value: 5_000 }, metadata: meta(`${month}-01T08:00:00+07:00`) },
        ],
      });
    }
  }

  const pending = new Map<string, NewEvent[]>();
  const flushRetractions = function* (upTo: string): Generator<Append> {
    for (const [day, retractions] of [...pending]) {
      if (day > upTo) continue;
      pending.delete(day);
      for (const r of retractions) yield emit({ stream: activityStream(String(r.data['teamId']), String(r.data['occurredAt'])), events: [r] });
    }
  };

  const teamById = new Map(teams.map((t) => [t.teamId, t]));
  const workingDays = [...preReformDays.map((day) => ({ day, teams: cohort, unit: (t: Team) => t.before ?? t })), ...days.map((day) => ({ day, teams, unit: (t: Team) => t }))];
  for (const [index, { day, teams: working, unit }] of workingDays.entries()) {
    if (day === REFORM_DAY) {
      for (const team of cohort) {
        const from = team.before as { communeCode: string; village: string };
        yield emit({
          stream: teamStream(team.teamId),
          events: [{
            eventId: random.uuid(), type: 'TeamRelocated', schemaVersion: 1,
            data: { teamId: team.teamId, fromCommuneCode: from.communeCode, fromVillage: from.village, communeCode: team.communeCode, village: team.village, reason: 'administrative-reform-2025', on: REFORM_DAY },
            metadata: meta(`${REFORM_DAY}T07:00:00+07:00`),
          }],
        });
      }
    }
    const planned = planActivities({ teams: working, days: [day], perTeamPerDay: options.perTeamPerDay, seed: options.seed * 7919 + index, ref });
    const byTeam = new Map<string, NewEvent[]>();
    for (const activity of planned) {
      const team = teamById.get(activity.body.teamId) as Team;
      const event = activityEvent(activity, unit(team));
      const list = byTeam.get(team.teamId);
      if (list) list.push(event);
      else byTeam.set(team.teamId, [event]);
      if (random.chance(options.retractShare)) {
        const on = addDays(day, random.int(1, 5));
        pending.set(on, [...(pending.get(on) ?? []), retraction(event, random, `${on}T16:30:00+07:00`)]);
      }
    }
    for (const [teamId, events] of byTeam) {
      yield emit({ stream: activityStream(teamId, String(events[0].data['occurredAt'])), events });
    }
    yield* flushRetractions(day);
    if (emitted >= options.events && day >= REFORM_DAY) break;
  }
  yield* flushRetractions('9999-12-31');
}

/** Teams across the provinces' communes; `relocateShare` of them start on an old commune of theirs. */
function planCohorts(units: AdminUnits, options: ProjectionWorkloadOptions, random: SeededRandom): Team[] {
  const communes = options.provinces.flatMap((code) => {
    const province = units.unit(code, REFORM_DAY);
    if (province?.level !== 'province') throw new Error(`${code} is not a province on ${REFORM_DAY}`);
    return units.children(code, REFORM_DAY).map((c) => c.code);
  });
  const perCommune = Math.ceil(options.teams / communes.length);
  const planned = planTeams({ provinceCode: options.provinces[0], communeCodes: communes, teamsPerCommune: perCommune, establishedOn: REFORM_DAY, seed: options.seed })
    .sort((a, b) => ordinal(a) - ordinal(b) || a.teamId.localeCompare(b.teamId))
    .slice(0, options.teams);
  return planned.map((team): Team => {
    if (!random.chance(options.relocateShare)) return team;
    const old = units.predecessorsOf(team.communeCode).find((p) => p.oldCommuneCode !== team.communeCode);
    return old ? { ...team, before: { communeCode: old.oldCommuneCode, village: team.village } } : team;
  });
}

/** The event the activity decider appends for a planned activity (the team's unit on the day added). */
function activityEvent(activity: PlannedActivity, unit: { communeCode: string; village: string }): NewEvent {
  const { deviceId, ...body } = activity.body;
  return {
    eventId: activity.body.activityId,
    type: EVENT_TYPE_OF[activity.kind],
    schemaVersion: 1,
    data: { ...body, memberIds: [...body.memberIds].sort(), communeCode: unit.communeCode, village: unit.village },
    metadata: { occurredAt: body.occurredAt, actor: body.memberIds[0], correlationId: body.activityId, deviceId: String(deviceId) },
  };
}

function retraction(original: NewEvent, random: SeededRandom, retractedAt: string): NewEvent {
  const { activityId, teamId, memberIds, occurredAt, communeCode, village } = original.data;
  const retractionId = random.uuid();
  return {
    eventId: retractionId,
    type: 'ActivityRetracted',
    schemaVersion: 1,
    data: {
      activityId, teamId, memberIds, occurredAt, communeCode, village, retractionId,
      reason: 'entered twice', retractedBy: 'bench-supervisor', retractedAt,
      retracted: { type: original.type, schemaVersion: original.schemaVersion, data: original.data },
    },
    metadata: { occurredAt: retractedAt, actor: 'bench-supervisor', correlationId: retractionId, causationId: String(activityId) },
  };
}

const ordinal = (team: PlannedTeam): number => Number(team.teamId.slice(team.teamId.lastIndexOf('-') + 1));
const addDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const dayBefore = (day: string): string => addDays(day, -1);
