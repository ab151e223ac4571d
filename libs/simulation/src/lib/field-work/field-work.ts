import { ASSISTED_APPS, DIGITAL_SERVICES, DIGITAL_SKILLS, TRAINEE_KINDS } from '@cdt/domain-activity';
import { SeededRandom } from './seeded-random';

/**
 * Realistic field work for simulations, benchmarks and end-to-end checks, shaped exactly like the
 * HTTP bodies of docs/api/v1-write-side.md. Pure: refs come from the `ref` function the caller passes
 * (the real keyed HMAC in the simulator), time from the days given.
 */

export interface PlannedMember {
  memberId: string;
  role: 'leader' | 'deputy' | 'member';
  youthUnion: boolean;
}

export interface PlannedTeam {
  teamId: string;
  communeCode: string;
  village: string;
  establishedOn: string;
  members: PlannedMember[];
}

export type ActivityKindName = 'household-visit' | 'training-enrollment' | 'training-completion' | 'app-install-assist' | 'digital-service-assist';

/** Where each kind is posted singly: `POST /v1/activities/<path>` (docs/api/v1-write-side.md). */
export const ACTIVITY_PATHS: Readonly<Record<ActivityKindName, string>> = {
  'household-visit': 'household-visits',
  'training-enrollment': 'training-enrollments',
  'training-completion': 'training-completions',
  'app-install-assist': 'app-install-assists',
  'digital-service-assist': 'digital-service-assists',
};

export interface PlannedActivity {
  kind: ActivityKindName;
  body: Record<string, unknown> & { activityId: string; teamId: string; memberIds: string[]; occurredAt: string };
}

export interface TeamPlanOptions {
  provinceCode: string;
  communeCodes: readonly string[];
  teamsPerCommune: number;
  establishedOn: string;
  seed: number;
}

const VILLAGE_KINDS = ['Ấp', 'Thôn', 'Khóm', 'Tổ dân phố'] as const;
const VILLAGE_NAMES = ['Tân Hòa', 'An Bình', 'Phú Thạnh', 'Mỹ Hiệp', 'Long Điền', 'Bình Thành', 'Hòa Lợi', 'Tân Mỹ', 'Thạnh Phú', 'Phước Lộc'];

/** Teams of 4–9 members, one leader and one deputy each, about a third youth-union members. */
export function planTeams(options: TeamPlanOptions): PlannedTeam[] {
  const teams: PlannedTeam[] = [];
  for (const communeCode of options.communeCodes) {
    for (let n = 1; n <= options.teamsPerCommune; n++) {
      const teamId = `sim-${communeCode}-${n}`;
      // Each team's make-up depends only on its id and the seed, so a rerun over more communes or
      // more teams per commune plans the teams it already registered the same way.
      const random = new SeededRandom(options.seed ^ hashOf(teamId));
      const size = random.int(4, 9);
      const members = Array.from({ length: size }, (_, i): PlannedMember => ({
        memberId: `${teamId}-m${i + 1}`,
        role: i === 0 ? 'leader' : i === 1 ? 'deputy' : 'member',
        youthUnion: random.chance(0.35),
      }));
      const village = `${random.pick(VILLAGE_KINDS)} ${VILLAGE_NAMES[(n - 1) % VILLAGE_NAMES.length]}`;
      teams.push({ teamId, communeCode, village, establishedOn: options.establishedOn, members });
    }
  }
  return teams;
}

export interface ActivityPlanOptions {
  teams: readonly PlannedTeam[];
  /** Vietnam calendar days, YYYY-MM-DD, in order. */
  days: readonly string[];
  /** Mean activities per team per day. */
  perTeamPerDay: number;
  seed: number;
  /** Keyed HMAC of an identifier (the simulator passes the real `pseudonymousRef`). */
  ref: (identifier: string) => string;
  /** Nothing after this instant (epoch ms): the API refuses activities from the future. */
  notAfter?: number;
}

const MIX = { 'household-visit': 45, 'app-install-assist': 25, 'digital-service-assist': 15, 'training-enrollment': 10, 'training-completion': 5 } as const;
const HOUSEHOLDS_PER_VILLAGE = 120;

/** Activities in office hours (07:30–17:00, Vietnam time), households drawn from each village's pool. */
export function planActivities(options: ActivityPlanOptions): PlannedActivity[] {
  const random = new SeededRandom(options.seed);
  const activities: PlannedActivity[] = [];
  const enrolled = new Map<string, { traineeRef: string; traineeKind: string; courseCode: string }[]>();
  for (const day of options.days) {
    for (const team of options.teams) {
      const count = random.int(0, Math.max(0, Math.round(options.perTeamPerDay * 2)));
      for (let i = 0; i < count; i++) {
        const minutes = random.int(7 * 60 + 30, 17 * 60);
        const seconds = random.int(0, 59);
        const occurredAt = `${day}T${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}:${pad(seconds)}+07:00`;
        const memberIds = pickMembers(random, team);
        const common = { activityId: random.uuid(), teamId: team.teamId, memberIds, occurredAt, deviceId: `${memberIds[0]}-phone` };
        const kind = random.weighted(MIX);
        const activity: PlannedActivity = { kind, body: { ...common, ...payload(kind, random, team, options.ref, enrolled) } };
        // Everything is drawn before the cut-off is applied, so the same seed always gives an activity
        // id the same content, however late in the day the plan is made.
        if (options.notAfter === undefined || Date.parse(occurredAt) <= options.notAfter) activities.push(activity);
      }
    }
  }
  return activities.sort((a, b) => a.body.occurredAt.localeCompare(b.body.occurredAt));
}

function payload(
  kind: ActivityKindName,
  random: SeededRandom,
  team: PlannedTeam,
  ref: (identifier: string) => string,
  enrolled: Map<string, { traineeRef: string; traineeKind: string; courseCode: string }[]>,
): Record<string, unknown> {
  const household = () => ref(`HH-${team.communeCode}-${team.village}-${random.int(1, HOUSEHOLDS_PER_VILLAGE)}`);
  const citizen = () => ref(`CITIZEN-${team.communeCode}-${random.int(1, HOUSEHOLDS_PER_VILLAGE * 3)}`);
  switch (kind) {
    case 'household-visit': {
      const skills = DIGITAL_SKILLS.filter(() => random.chance(0.4));
      return { householdRef: household(), skills: skills.length > 0 ? skills : [random.pick(DIGITAL_SKILLS)] };
    }
    case 'app-install-assist':
      return { citizenRef: citizen(), app: random.weighted({ vneid: 40, 'e-wallet': 20, 'provincial-citizen-app': 15, vssid: 10, 'health-app': 8, 'verified-sim': 5, other: 2 } satisfies Record<(typeof ASSISTED_APPS)[number], number>) };
    case 'digital-service-assist':
      return { subjectRef: citizen(), service: random.pick(DIGITAL_SERVICES) };
    case 'training-enrollment': {
      const enrollment = { traineeRef: citizen(), traineeKind: random.pick(TRAINEE_KINDS), courseCode: `onetouch-ky-nang-so-${random.int(1, 4)}` };
      enrolled.set(team.teamId, [...(enrolled.get(team.teamId) ?? []), enrollment]);
      return enrollment;
    }
    case 'training-completion': {
      const open = enrolled.get(team.teamId) ?? [];
      if (open.length > 0) return open.splice(random.int(0, open.length - 1), 1)[0];
      return { traineeRef: citizen(), traineeKind: random.pick(TRAINEE_KINDS), courseCode: 'onetouch-ky-nang-so-1' };
    }
  }
}

function pickMembers(random: SeededRandom, team: PlannedTeam): string[] {
  const first = random.pick(team.members).memberId;
  if (!random.chance(0.3)) return [first];
  const second = random.pick(team.members).memberId;
  return second === first ? [first] : [first, second];
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** FNV-1a, to derive a per-team seed from its id. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** The Vietnam-time calendar days ending with `lastDay`, oldest first. */
export function daysEndingOn(lastDay: string, count: number): string[] {
  const end = Date.parse(`${lastDay}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(end - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}
