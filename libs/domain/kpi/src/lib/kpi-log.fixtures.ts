import fc from 'fast-check';
import { vietnamDate } from '@cdt/domain-shared';
import { dissolved, established, install, joined, left, ref, relocated, retraction, targetAssigned, visit } from './kpi.fixtures';
import type { ProjectionEvent } from './projector';

/**
 * Random KPI logs for property tests (model 1's and model 2's): three teams over 2024–2026 (days near
 * New Year and ISO weeks 1, 52 and 53 drawn often), visits and installs, retractions, redeliveries,
 * relocations across the 2025 reform, members joining and leaving, dissolutions and targets.
 */

export const TEAMS = ['t1', 't2', 't3'];
const HOME: Record<string, string> = { t1: '10001', t2: '10002', t3: '20001' };
const COMMUNES = ['10001', '10002', '20001', '30001'];

export type Op =
  | { k: 'visit'; team: number; household: number; day: number }
  | { k: 'install'; team: number; citizen: number; day: number; app: string }
  | { k: 'retract'; pick: number }
  | { k: 'redeliver'; pick: number }
  | { k: 'relocate'; team: number; commune: number }
  | { k: 'join'; team: number; member: number; youth: boolean }
  | { k: 'leave'; team: number; member: number }
  | { k: 'dissolve'; team: number }
  | { k: 'target'; value: number };

const DAYS = 3 * 365;
export const dayOf = (n: number): string => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

/** Days 0‥DAYS−1 from 2024-01-01, a third of them within five days of a New Year (ISO weeks 52, 53, 1). */
const day: fc.Arbitrary<number> = fc.oneof(
  { weight: 2, arbitrary: fc.nat(DAYS - 1) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(366, 731, 1094), fc.integer({ min: -5, max: 4 })).map(([newYear, offset]) => Math.min(DAYS - 1, newYear + offset)) },
);

export const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ k: fc.constant('visit' as const), team: fc.nat(2), household: fc.nat(5), day }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('install' as const), team: fc.nat(2), citizen: fc.nat(3), day, app: fc.constantFrom('vneid', 'vneid', 'e-wallet') }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('retract' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('redeliver' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('relocate' as const), team: fc.nat(2), commune: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('join' as const), team: fc.nat(2), member: fc.nat(3), youth: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('leave' as const), team: fc.nat(2), member: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('target' as const), value: fc.nat(50) }) },
);

/** `op` with dissolutions too (a dissolved team's later registry events are ignored; its activities still count). */
export const opWithDissolution: fc.Arbitrary<Op> = fc.oneof(
  { weight: 20, arbitrary: op },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('dissolve' as const), team: fc.nat(2) }) },
);

export const batchSizes: fc.Arbitrary<number[]> = fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 40 });

export interface Built {
  events: ProjectionEvent[];
  /** Visits that count at the end: not retracted, each once. */
  liveVisits: { day: string; household: string }[];
}

/** Turns ops into a log the write side could have produced: registry facts in date order, units as on the day. */
export const build = (ops: Op[]): Built => {
  const events: ProjectionEvent[] = TEAMS.map((teamId) => established(teamId, HOME[teamId], '2024-01-01'));
  const units: Record<string, { from: string; communeCode: string }[]> = Object.fromEntries(TEAMS.map((t) => [t, [{ from: '2024-01-01', communeCode: HOME[t] }]]));
  const members: Record<string, Set<string>> = Object.fromEntries(TEAMS.map((t) => [t, new Set<string>()]));
  const registryDay: Record<string, number> = Object.fromEntries(TEAMS.map((t) => [t, 0]));
  const live = new Map<string, ProjectionEvent>();
  const unitOn = (teamId: string, day: string) => [...units[teamId]].reverse().find((u) => u.from <= day) ?? units[teamId][0];
  const nextRegistryDay = (teamId: string) => dayOf((registryDay[teamId] += 30) % DAYS);
  for (const o of ops) {
    switch (o.k) {
      case 'visit':
      case 'install': {
        const teamId = TEAMS[o.team];
        const day = dayOf(o.day);
        const where = { teamId, communeCode: unitOn(teamId, day).communeCode, occurredAt: `${day}T09:00:00+07:00`, memberIds: ['m1', `m${o.team}`] };
        const event = o.k === 'visit' ? visit(where, ref(o.household + 1)) : install(where, o.app, ref(100 + o.citizen));
        events.push(event);
        live.set(event.eventId, event);
        break;
      }
      case 'retract': {
        const candidates = [...live.values()];
        if (candidates.length === 0) break;
        const original = candidates[o.pick % candidates.length];
        live.delete(original.eventId);
        events.push(retraction(original));
        break;
      }
      case 'redeliver':
        events.push(events[o.pick % events.length]);
        break;
      case 'relocate': {
        const teamId = TEAMS[o.team];
        const current = units[teamId][units[teamId].length - 1];
        const communeCode = COMMUNES[o.commune];
        if (communeCode === current.communeCode || registryDay[teamId] + 30 >= DAYS) break;
        const on = nextRegistryDay(teamId);
        units[teamId].push({ from: on, communeCode });
        events.push(relocated(teamId, { communeCode: current.communeCode }, { communeCode }, on));
        break;
      }
      case 'join':
      case 'leave': {
        const teamId = TEAMS[o.team];
        const memberId = `m${o.member}`;
        if ((o.k === 'join') === members[teamId].has(memberId) || registryDay[teamId] + 30 >= DAYS) break;
        const on = nextRegistryDay(teamId);
        if (o.k === 'join') members[teamId].add(memberId);
        else members[teamId].delete(memberId);
        events.push(o.k === 'join' ? joined(teamId, memberId, on, o.youth) : left(teamId, memberId, on));
        break;
      }
      case 'dissolve': {
        const teamId = TEAMS[o.team];
        if (registryDay[teamId] + 30 >= DAYS) break;
        events.push(dissolved(teamId, nextRegistryDay(teamId)));
        break;
      }
      case 'target':
        events.push(targetAssigned('10', 'household-visits', '2025', o.value));
        break;
    }
  }
  const liveVisits = [...live.values()]
    .filter((e) => e.type === 'HouseholdVisitRecorded')
    .map((e) => {
      const data = e.data as { occurredAt: string; householdRef: string };
      return { day: vietnamDate(data.occurredAt), household: data.householdRef };
    });
  return { events, liveVisits };
};
