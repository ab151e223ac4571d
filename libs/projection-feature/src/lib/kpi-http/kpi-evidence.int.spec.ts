import { randomUUID } from 'node:crypto';
import { loadAdminUnits } from '@cdt/admin-units';
import { activityStream, teamStream } from '@cdt/domain-shared';
import { START, openEventStore, type EventStore } from '@cdt/event-store';
import type { DevClaims } from '@cdt/platform';
import { loadProjectorState, openKpiReadStore, projectIntoStore, type KpiReadStore } from '@cdt/read-store';
import { adminUnitResolver } from '../runner/admin-unit-resolver';
import { COMMUNES, appendLog, generateLog, type Append } from '../testing/generated-log';
import { startKpiHttpApp, type KpiHttpApp } from '../testing/kpi-http-app';
import type { EvidencePage } from './kpi-evidence.controller';

/**
 * The generated log ends in June 2025: every team then moves onto its 2025 commune on the reform day and
 * records a visit and a VNeID install in August, so the current view has history to carry along.
 */
function reformAndAfter(teams: number, seed: number): Append[] {
  const meta = (occurredAt: string) => ({ occurredAt, actor: 'spec', correlationId: randomUUID() });
  return Array.from({ length: teams }, (_, i): Append[] => {
    const teamId = `gen-${seed}-${i}`;
    const { old, current } = COMMUNES[i % COMMUNES.length];
    const village = `Ấp ${1 + (i % 5)}`;
    const occurredAt = `2025-08-${String(4 + i).padStart(2, '0')}T09:00:00+07:00`;
    const facts = { teamId, memberIds: [`${teamId}-m1`], occurredAt, communeCode: current, village };
    const [visitId, installId] = [randomUUID(), randomUUID()];
    return [
      { stream: teamStream(teamId), events: [{ eventId: randomUUID(), type: 'TeamRelocated', schemaVersion: 1, data: { teamId, fromCommuneCode: old, fromVillage: village, communeCode: current, village, reason: 'administrative-reform-2025', on: '2025-07-01' }, metadata: meta('2025-07-01T08:00:00+07:00') }] },
      {
        stream: activityStream(teamId, occurredAt),
        events: [
          { eventId: visitId, type: 'HouseholdVisitRecorded', schemaVersion: 1, data: { ...facts, activityId: visitId, householdRef: String(i).padStart(64, 'd'), skills: ['public-services'] }, metadata: meta(occurredAt) },
          { eventId: installId, type: 'AppInstallAssistRecorded', schemaVersion: 1, data: { ...facts, activityId: installId, app: 'vneid', citizenRef: String(i).padStart(64, 'e') }, metadata: meta(occurredAt) },
        ],
      },
    ];
  }).flat();
}

/**
 * Issue 6: every KPI figure is explained by the events behind it. On a simulated log (teams of 82 on
 * pre-2025 communes, every activity kind, ~2 % retracted, all teams relocated on the reform day) the
 * evidence of many figures (both views, every level, counts, distinct counts and stocks) must add up
 * to exactly the figure the read model stores, page by page over HTTP.
 */
describe('KPI evidence (/v1/kpi/{level}/{unit}/evidence) on a simulated log', () => {
  let kpi: KpiHttpApp;
  let events: EventStore;
  let readStore: KpiReadStore;
  const tokens: Record<string, string> = {};
  const TEAM = 'gen-6-0';

  const get = async (path: string, who = 'auditor'): Promise<{ status: number; json: Record<string, unknown> & { errors?: { field: string }[] } }> => {
    const response = await fetch(`${kpi.base}${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> & { errors?: { field: string }[] } };
  };

  /** Every page of one figure's evidence, checking the paging on the way. */
  const allPages = async (path: string, limit: number): Promise<{ first: EvidencePage; items: EvidencePage['events'] }> => {
    const items: EvidencePage['events'] = [];
    let first: EvidencePage | undefined;
    for (let after: string | undefined; ; ) {
      const reply = await get(`${path}&limit=${limit}${after ? `&after=${after}` : ''}`);
      expect(reply.status).toBe(200);
      const page = reply.json as unknown as EvidencePage;
      first ??= page;
      expect(page.events.length).toBeLessThanOrEqual(limit);
      items.push(...page.events);
      if (!page.next) break;
      after = page.next;
    }
    return { first: first as EvidencePage, items };
  };

  beforeAll(async () => {
    events = await openEventStore({ kind: 'memory' });
    readStore = await openKpiReadStore({ kind: 'memory' });
    await appendLog(events, [...generateLog({ teams: 12, activities: 1500, seed: 6 }), ...reformAndAfter(12, 6)]);
    const resolve = adminUnitResolver(loadAdminUnits());
    let state = await loadProjectorState(readStore);
    for (let after = START; ; ) {
      const page = await events.readAll({ after, limit: 300 });
      if (page.events.length > 0) ({ state } = await projectIntoStore(readStore, state, page.events, page.checkpoint, resolve));
      after = page.checkpoint;
      if (page.atHead || page.events.length === 0) break;
    }
    kpi = await startKpiHttpApp({ events, readStore, serviceName: 'evidence-spec' });
    const claims: Record<string, DevClaims> = {
      auditor: { subject: 'auditor-1', role: 'auditor' },
      officer82: { subject: 'officer-82', role: 'officer', provinceCode: '82' },
      officer79: { subject: 'officer-79', role: 'officer', provinceCode: '79' },
      reporter: { subject: 'reporter-1', role: 'reporter', teamId: TEAM },
      otherReporter: { subject: 'reporter-2', role: 'reporter', teamId: 'gen-6-1' },
    };
    for (const [name, claim] of Object.entries(claims)) tokens[name] = await kpi.token(claim);
  }, 120_000);

  afterAll(async () => {
    await kpi?.close();
    await readStore?.close();
    await events?.close();
  });

  const FIGURES: [view: string, level: string, unit: string, period: string, indicator: string][] = [
    ['as-recorded', 'nation', 'VN', '2024', 'household-visits'],
    ['as-recorded', 'province', '82', '2024-Q2', 'households-reached'],
    ['as-recorded', 'district', '815', '2024', 'app-install.vneid'],
    ['as-recorded', 'commune', '28252', '2024-05', 'active-members'],
    ['as-recorded', 'commune', '28249', '2025-08', 'household-visits'],
    ['as-recorded', 'province', '82', '2025', 'citizens-assisted.vneid'],
    ['as-recorded', 'province', '82', '2025-06', 'members-registered'],
    ['as-recorded', 'commune', '28252', '2025-06', 'teams-registered'],
    ['as-recorded', 'province', '82', '2025-07', 'teams-registered'],
    ['as-recorded', 'commune', '28249', '2025-09', 'teams-registered'],
    ['as-recorded', 'team', TEAM, '2024', 'training-enrollments'],
    ['current', 'commune', '28249', '2024', 'household-visits'],
    ['current', 'commune', '28249', '2024-W10', 'households-reached'],
    ['current', 'commune', '28261', '2025', 'active-teams'],
    ['current', 'province', '82', '2024-Q1', 'youth-union-members'],
    ['current', 'province', '82', '2025', 'dvctt-accounts'],
    ['current', 'commune', '28249', '2025', 'citizens-assisted.vneid'],
    ['current', 'commune', '28249', '2025-12', 'members-registered'],
    ['current', 'team', TEAM, '2025', 'visit-skill.public-services'],
  ];

  it.each(FIGURES)('%s %s %s %s %s: the events add up to the stored figure', async (view, level, unit, period, indicator) => {
    const path = `/v1/kpi/${level}/${encodeURIComponent(unit)}/evidence?view=${view}&period=${period}&indicator=${indicator}`;
    const { first, items } = await allPages(path, 37);
    expect(first.matchesReadModel).toBe(true);
    expect(first.figure).toBe(first.readModelValue);
    expect(first.readModelValue).toBeGreaterThan(0);
    expect(items).toHaveLength(first.totalEvents);
    expect(new Set(items.map((i) => i.eventId)).size).toBe(items.length);
    if (first.kind === 'distinct') {
      const net = new Map<string, number>();
      for (const item of items) for (const s of item.subjects ?? []) net.set(s.subject, (net.get(s.subject) ?? 0) + s.effect);
      expect([...net.values()].filter((n) => n > 0)).toHaveLength(first.figure);
    } else {
      expect(items.reduce((sum, i) => sum + i.effect, 0)).toBe(first.figure);
    }
  });

  it('shows a retraction as such: −1, naming the activity it takes back, which names it in turn', async () => {
    const { first, items } = await allPages('/v1/kpi/nation/VN/evidence?period=2024&indicator=household-visits', 1000);
    const retractions = items.filter((i) => i.type === 'ActivityRetracted');
    expect(retractions.length).toBeGreaterThan(0);
    for (const retraction of retractions) {
      expect(retraction.effect).toBe(-1);
      const original = items.find((i) => i.eventId === retraction.retracts);
      expect(original).toMatchObject({ type: 'HouseholdVisitRecorded', effect: 1, retractedBy: retraction.eventId });
    }
    expect(items.filter((i) => i.effect === 1).length - retractions.length).toBe(first.figure);
    expect(items[0]).toMatchObject({ eventId: expect.any(String), streamName: expect.stringMatching(/^activity-/), streamVersion: expect.any(Number), position: { transactionId: expect.any(String), globalPosition: expect.any(String) }, occurredAt: expect.any(String) });
  });

  it('is scoped like the other KPI endpoints, and names the field of bad input', async () => {
    const path = '/v1/kpi/province/82/evidence?period=2024&indicator=household-visits';
    expect((await get(path, 'officer82')).status).toBe(200);
    expect((await get(path, 'officer79')).json).toMatchObject({ status: 403, code: 'OUT_OF_SCOPE' });
    expect((await get(`/v1/kpi/team/${TEAM}/evidence?period=2024&indicator=household-visits`, 'reporter')).status).toBe(200);
    expect((await get(`/v1/kpi/team/${TEAM}/evidence?period=2024&indicator=household-visits`, 'otherReporter')).status).toBe(403);
    for (const [query, field] of [
      ['period=2024&indicator=youth-union-share', 'indicator'],
      ['period=2024&indicator=communes-covered', 'indicator'],
      ['period=24&indicator=household-visits', 'period'],
      ['period=2024&indicator=household-visits&limit=0', 'limit'],
      ['period=2024&indicator=household-visits&after=12', 'after'],
    ]) {
      const reply = await get(`/v1/kpi/province/82/evidence?${query}`);
      expect({ query, status: reply.status }).toEqual({ query, status: 400 });
      expect(reply.json.errors?.map((e) => e.field)).toContain(field);
    }
  });
});
