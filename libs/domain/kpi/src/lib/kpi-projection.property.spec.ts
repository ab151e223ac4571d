import fc from 'fast-check';
import { vietnamDate } from '@cdt/domain-shared';
import { figuresOf, type InMemoryReadModel } from './in-memory-read-model';
import { established, install, joined, left, project, ref, relocated, retraction, targetAssigned, visit } from './kpi.fixtures';
import type { ProjectionEvent } from './projector';

/**
 * Incremental processing in any batch sizes, with redeliveries, retractions and relocations, must end
 * in exactly the model one from-scratch fold produces — and that model must agree with figures
 * counted naively from the events.
 */

const STOCKS = new Set(['teams-registered', 'members-registered', 'youth-union-members']);
const TEAMS = ['t1', 't2', 't3'];
const HOME: Record<string, string> = { t1: '10001', t2: '10002', t3: '20001' };
const COMMUNES = ['10001', '10002', '20001', '30001'];

type Op =
  | { k: 'visit'; team: number; household: number; day: number }
  | { k: 'install'; team: number; citizen: number; day: number }
  | { k: 'retract'; pick: number }
  | { k: 'redeliver'; pick: number }
  | { k: 'relocate'; team: number; commune: number }
  | { k: 'join'; team: number; member: number; youth: boolean }
  | { k: 'leave'; team: number; member: number }
  | { k: 'target'; value: number };

const DAYS = 3 * 365;
const dayOf = (n: number): string => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ k: fc.constant('visit' as const), team: fc.nat(2), household: fc.nat(5), day: fc.nat(DAYS - 1) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('install' as const), team: fc.nat(2), citizen: fc.nat(3), day: fc.nat(DAYS - 1) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('retract' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('redeliver' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('relocate' as const), team: fc.nat(2), commune: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('join' as const), team: fc.nat(2), member: fc.nat(3), youth: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('leave' as const), team: fc.nat(2), member: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('target' as const), value: fc.nat(50) }) },
);

interface Built {
  events: ProjectionEvent[];
  /** Visits that count at the end: not retracted, each once. */
  liveVisits: { day: string; household: string }[];
}

/** Turns ops into a log the write side could have produced: registry facts in date order, units as on the day. */
const build = (ops: Op[]): Built => {
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
        const event = o.k === 'visit' ? visit(where, ref(o.household + 1)) : install(where, 'vneid', ref(100 + o.citizen));
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

/** The model's content, without rows that net to zero (a row may exist at 0 in one run and not another). */
const snapshot = (model: InMemoryReadModel) => ({
  counts: [...model.counts].filter(([, row]) => row.value !== 0).sort(([a], [b]) => (a < b ? -1 : 1)),
  refs: [...model.refs].sort(([a], [b]) => (a < b ? -1 : 1)),
  targets: [...model.targets].sort(),
  teams: [...model.teams].sort(([a], [b]) => (a < b ? -1 : 1)),
  applied: [...model.applied].sort(),
});

describe('KPI projection properties', () => {
  it('incremental processing in random batch sizes equals one from-scratch fold', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 40 }), (ops, batchSizes) => {
        const { events } = build(ops);
        expect(snapshot(project(events, batchSizes))).toEqual(snapshot(project(events)));
      }),
      { numRuns: 150 },
    );
  });

  it('agrees with a naive count of the live visits, in both views, and never goes negative', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 40 }), (ops, batchSizes) => {
        const { events, liveVisits } = build(ops);
        const model = project(events, batchSizes);
        // Stock rows hold dated +1/−1 facts and may be negative; every flow and distinct count may not.
        for (const row of model.counts.values()) if (!STOCKS.has(row.indicator)) expect(row.value).toBeGreaterThanOrEqual(0);
        for (const year of ['2024', '2025', '2026']) {
          const visits = liveVisits.filter((v) => v.day.startsWith(year));
          for (const view of ['as-recorded', 'current'] as const) {
            const [nation] = figuresOf(model, view, 'nation', ['VN'], year);
            expect(nation.values['household-visits'] ?? 0).toBe(visits.length);
            expect(nation.values['households-reached'] ?? 0).toBe(new Set(visits.map((v) => v.household)).size);
          }
          // Under current units each team's history sits in one place, so the provinces add up to the nation.
          const provinces = ['10', '20', '30'].map((p) => figuresOf(model, 'current', 'province', [p], year)[0].values['household-visits'] ?? 0);
          expect(provinces.reduce((a, b) => a + b, 0)).toBe(visits.length);
        }
      }),
      { numRuns: 150 },
    );
  });
});
