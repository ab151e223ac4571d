import { randomUUID } from 'node:crypto';
import { activityStream, teamStream, unitStream } from '@cdt/domain-shared';
import { compareCheckpoints, START, type Checkpoint, type EventStore, type NewEvent } from '@cdt/event-store';

/**
 * A field-work log for runner tests, written straight to the event store: teams in real communes of
 * Tiền Giang (82, pre-2025), members, activities of every kind over 2024–2025, retractions, a move of
 * every team onto its 2025 commune on the reform day, and targets. Seeded, so a failure can be rerun.
 */

/** Pre-2025 communes of province 82 and the 2025 commune each went into wholly (see admin-units). */
export const COMMUNES: readonly { old: string; current: string }[] = [
  { old: '28249', current: '28249' },
  { old: '28252', current: '28249' },
  { old: '28261', current: '28261' },
  { old: '28264', current: '28261' },
  { old: '28270', current: '28270' },
  { old: '28273', current: '28273' },
];

const APPS = ['vneid', 'e-wallet', 'provincial-citizen-app', 'vssid', 'health-app', 'verified-sim'];
const SERVICES = ['dvctt-account', 'dvctt-dossier', 'online-payment', 'merchant-e-payment', 'e-commerce-listing'];
const SKILLS = ['public-services', 'online-shopping', 'online-payment', 'self-protection', 'local-platforms'];

export interface Append {
  stream: string;
  events: NewEvent[];
}

/** mulberry32: small, fast, good enough to vary a test log. */
const seeded = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const metadata = (occurredAt: string) => ({ occurredAt, actor: 'generator', correlationId: randomUUID() });
const ref = (n: number): string => n.toString(16).padStart(64, '0');

/** About `activities` activity events (plus registry facts), as appends of at most `perAppend` events. */
export function generateLog(options: { teams: number; activities: number; seed: number; perAppend?: number }): Append[] {
  const random = seeded(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const perAppend = options.perAppend ?? 200;
  const appends: Append[] = [];
  const event = (type: string, data: Record<string, unknown>, occurredAt: string, eventId: string = randomUUID()): NewEvent => ({
    eventId,
    type,
    schemaVersion: 1,
    data,
    metadata: metadata(occurredAt),
  });

  const teams = Array.from({ length: options.teams }, (_, i) => {
    const commune = COMMUNES[i % COMMUNES.length];
    return { teamId: `gen-${options.seed}-${i}`, ...commune, village: `Ấp ${1 + (i % 5)}`, members: [`gen-${options.seed}-${i}-m1`, `gen-${options.seed}-${i}-m2`, `gen-${options.seed}-${i}-m3`] };
  });
  for (const team of teams) {
    const at = '2024-01-01T08:00:00+07:00';
    appends.push({
      stream: teamStream(team.teamId),
      events: [
        event('TeamEstablished', { teamId: team.teamId, communeCode: team.old, village: team.village, on: '2024-01-01' }, at),
        ...team.members.map((memberId, m) =>
          event('MemberJoined', { teamId: team.teamId, memberId, role: m === 0 ? 'leader' : 'member', youthUnion: m !== 2, on: '2024-01-01' }, at),
        ),
      ],
    });
  }
  appends.push({ stream: unitStream('82'), events: [event('TargetAssigned', { unitCode: '82', indicatorCode: 'app-install.vneid', period: '2024', value: 500 }, '2024-01-02T08:00:00+07:00')] });

  // Activities in day order; the reform moves every team halfway through.
  const days = 540;
  const perDay = Math.max(1, Math.ceil(options.activities / days));
  let pending: { stream: string; event: NewEvent }[] = [];
  const flush = () => {
    const byStream = new Map<string, NewEvent[]>();
    for (const p of pending) byStream.set(p.stream, [...(byStream.get(p.stream) ?? []), p.event]);
    for (const [stream, events] of byStream) for (let i = 0; i < events.length; i += perAppend) appends.push({ stream, events: events.slice(i, i + perAppend) });
    pending = [];
  };
  let made = 0;
  let relocated = false;
  const recent: NewEvent[] = [];
  for (let d = 0; d < days && made < options.activities; d++) {
    const day = new Date(Date.UTC(2024, 0, 2 + d)).toISOString().slice(0, 10);
    if (!relocated && day >= '2025-07-01') {
      flush();
      relocated = true;
      for (const team of teams) {
        appends.push({
          stream: teamStream(team.teamId),
          events: [
            event(
              'TeamRelocated',
              { teamId: team.teamId, fromCommuneCode: team.old, fromVillage: team.village, communeCode: team.current, village: team.village, reason: 'administrative-reform-2025', on: '2025-07-01' },
              '2025-07-01T08:00:00+07:00',
            ),
          ],
        });
      }
    }
    for (let k = 0; k < perDay && made < options.activities; k++, made++) {
      const team = pick(teams);
      const occurredAt = `${day}T${String(8 + Math.floor(random() * 9)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}:00+07:00`;
      const activityId = randomUUID();
      const facts = { activityId, teamId: team.teamId, memberIds: [pick(team.members)], occurredAt, communeCode: relocated ? team.current : team.old, village: team.village };
      const roll = random();
      const household = Math.floor(random() * 400);
      const recorded =
        roll < 0.45
          ? event('HouseholdVisitRecorded', { ...facts, householdRef: ref(household), skills: [pick(SKILLS), pick(SKILLS)].filter((s, i, all) => all.indexOf(s) === i) }, occurredAt, activityId)
          : roll < 0.7
            ? event('AppInstallAssistRecorded', { ...facts, app: pick(APPS), citizenRef: ref(10_000 + household) }, occurredAt, activityId)
            : roll < 0.85
              ? event('DigitalServiceAssistRecorded', { ...facts, service: pick(SERVICES), subjectRef: ref(20_000 + household) }, occurredAt, activityId)
              : event(
                  roll < 0.95 ? 'TrainingEnrollmentRecorded' : 'TrainingCompletionRecorded',
                  { ...facts, traineeRef: ref(30_000 + household), traineeKind: pick(['member', 'official', 'citizen']), courseCode: 'MOOC-1' },
                  occurredAt,
                  activityId,
                );
      pending.push({ stream: activityStream(team.teamId, occurredAt), event: recorded });
      recent.push(recorded);
      // About 2% are retracted a little later, carrying the original whole.
      if (random() < 0.02 && recent.length > 10) {
        const original = recent[Math.floor(random() * recent.length)];
        const data = original.data as Record<string, unknown>;
        if (recent.splice(recent.indexOf(original), 1).length === 1) {
          const retractionId = randomUUID();
          pending.push({
            stream: activityStream(String(data['teamId']), String(data['occurredAt'])),
            event: event(
              'ActivityRetracted',
              { ...data, retractionId, reason: 'duplicate entry', retractedBy: 'supervisor-1', retractedAt: occurredAt, retracted: { type: original.type, schemaVersion: 1, data } },
              occurredAt,
              retractionId,
            ),
          });
        }
      }
      if (recent.length > 200) recent.shift();
    }
    if (pending.length >= perAppend * 4) flush();
  }
  flush();
  return appends;
}

/**
 * Appends the log (in order; `any` version: streams interleave across appends) and waits until readers
 * can see all of it. On a shared PostgreSQL server a long transaction elsewhere (in any database) holds
 * back the gap-safe horizon, so "appended" and "visible to subscribers" can be seconds apart; a test that
 * took the head before then would compare against a log with nothing in it.
 */
export async function appendLog(store: Pick<EventStore, 'append' | 'head'>, appends: readonly Append[], timeoutMs = 300_000): Promise<number> {
  let count = 0;
  let last: Checkpoint = START;
  for (const { stream, events } of appends) {
    const result = await store.append(stream, events, 'any');
    count += events.length;
    for (const e of result.events) if (compareCheckpoints(e.position, last) > 0) last = e.position;
  }
  const deadline = Date.now() + timeoutMs;
  while (compareCheckpoints(await store.head(), last) < 0) {
    if (Date.now() > deadline) throw new Error(`appended events were not visible to readers within ${timeoutMs} ms (a long transaction on the server?)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return count;
}
