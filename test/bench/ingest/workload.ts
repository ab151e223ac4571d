import { loadAdminUnits } from '@cdt/admin-units';
import { pseudonymousRef } from '@cdt/pseudonym';
import { daysEndingOn, planActivities, planTeams, type PlannedActivity, type PlannedTeam } from '@cdt/simulation';

/** Refs are computed as a client would; this key is for benchmarks only (docs/privacy/refs.md). */
const BENCH_REF_KEY = 'cdt-benchmark-ref-key-not-for-real-citizens-0001';

export interface WorkloadOptions {
  province: string;
  teams: number;
  /** Activities for the batched phase. */
  batchActivities: number;
  batchSize: number;
  teamsPerBatch: number;
  /** Activities for the single-POST phase (one per request). */
  singleActivities: number;
  perTeamPerDay: number;
  seed: number;
}

export interface Workload {
  teams: PlannedTeam[];
  /** Request bodies of `POST /v1/activities:batch`, serialised once so the load generator stays cheap. */
  batches: { body: string; activityIds: string[] }[];
  singles: PlannedActivity[];
}

/**
 * Real communes of a province, teams planned by @cdt/simulation, and their field work over as many past
 * days as it takes. The older work is sent in batches, the way a commune's sync hub forwards the queued
 * offline work of several teams at once: the teams are taken `teamsPerBatch` at a time, their work
 * merged in time order and cut into batches of `batchSize`, so one request carries ~`teamsPerBatch`
 * teams' consecutive days (a few month streams each). The most recent work is posted one by one.
 */
export function planWorkload(options: WorkloadOptions, now = Date.now()): Workload {
  const today = new Date(now + 7 * 3_600_000).toISOString().slice(0, 10);
  const units = loadAdminUnits();
  const province = units.unit(options.province, today);
  if (!province || province.level !== 'province') throw new Error(`--province ${options.province} is not a province on ${today}`);
  const communes = units.children(province.code, today);
  const teamsPerCommune = Math.ceil(options.teams / communes.length);
  const total = options.batchActivities + options.singleActivities;
  // planActivities draws 0..2×mean a day per team: 5% spare covers the variance.
  const dayCount = Math.ceil((total * 1.05) / (options.teams * options.perTeamPerDay)) + 1;
  const days = daysEndingOn(today, dayCount);
  const establishedOn = daysEndingOn(days[0], 2)[0];
  const teams = planTeams({ provinceCode: province.code, communeCodes: communes.map((c) => c.code), teamsPerCommune, establishedOn, seed: options.seed })
    // One team per commune first, then the second ones, so a small --teams still spreads over communes.
    .sort((a, b) => teamOrdinal(a) - teamOrdinal(b) || a.teamId.localeCompare(b.teamId))
    .slice(0, options.teams);
  const ref = (identifier: string) => pseudonymousRef(identifier, BENCH_REF_KEY);
  const planned = planActivities({ teams, days, perTeamPerDay: options.perTeamPerDay, seed: options.seed + 1, ref, notAfter: now - 60_000 });
  if (planned.length < total) throw new Error(`planned only ${planned.length} activities for ${total}; raise --per-team-per-day`);

  const older = planned.slice(0, planned.length - options.singleActivities).slice(-options.batchActivities);
  const singles = planned.slice(planned.length - options.singleActivities);
  return { teams, batches: batchesOf(older, teams, options), singles };
}

function batchesOf(activities: PlannedActivity[], teams: PlannedTeam[], options: WorkloadOptions): Workload['batches'] {
  const hubOf = new Map(teams.map((team, i) => [team.teamId, Math.floor(i / options.teamsPerBatch)]));
  const perHub = new Map<number, PlannedActivity[]>();
  for (const activity of activities) {
    const hub = hubOf.get(activity.body.teamId) ?? 0;
    const queue = perHub.get(hub);
    if (queue) queue.push(activity);
    else perHub.set(hub, [activity]);
  }
  // Hubs take turns, so concurrent clients mostly write different teams' streams, as in the field.
  const queues = [...perHub.values()];
  const batches: Workload['batches'] = [];
  for (let at = 0; queues.some((queue) => at < queue.length); at += options.batchSize) {
    for (const queue of queues) {
      const items = queue.slice(at, at + options.batchSize);
      if (items.length === 0) continue;
      batches.push({ body: JSON.stringify({ items: items.map((a) => ({ kind: a.kind, ...a.body })) }), activityIds: items.map((a) => a.body.activityId) });
    }
  }
  return batches;
}

const teamOrdinal = (team: PlannedTeam): number => Number(team.teamId.slice(team.teamId.lastIndexOf('-') + 1));
