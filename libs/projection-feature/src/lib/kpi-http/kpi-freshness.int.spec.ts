import { loadAdminUnits } from '@cdt/admin-units';
import type { ProjectorState } from '@cdt/domain-kpi';
import { START, openEventStore, type EventStore, type RecordedEvent } from '@cdt/event-store';
import { loadProjectorState, openKpiReadStore, projectIntoStore, type KpiReadStore } from '@cdt/read-store';
import { adminUnitResolver } from '../runner/admin-unit-resolver';
import { startKpiHttpApp, type KpiHttpApp } from '../testing/kpi-http-app';
import { appendScenario } from './kpi-http.fixtures';
import { CHECKPOINT_HEADER } from './kpi.controller';

type Body = { watermark: { checkpoint: { globalPosition: string } | null; exact: boolean; stale: boolean }; indicators: { code: string; value: number | null }[] };

/**
 * Freshness of the KPI answers over HTTP while the projection moves: by default every answer is that of
 * the read model's current checkpoint, computed once however many ask at once; a client sending
 * `Cache-Control: max-stale` gets the previous checkpoint's answer at once, labelled as such.
 */
describe('KPI answers while the projection moves (/v1/kpi, Cache-Control)', () => {
  let kpi: KpiHttpApp;
  let events: EventStore;
  let readStore: KpiReadStore;
  let token: string;
  let state: ProjectorState;
  let log: RecordedEvent[];
  let figureReads = 0;
  const resolve = adminUnitResolver(loadAdminUnits());

  const visits = (body: Body) => body.indicators.find((value) => value.code === 'household-visits')?.value;
  const province82 = async (headers: Record<string, string> = {}) => {
    const response = await fetch(`${kpi.base}/v1/kpi/province/82?period=2026-11`, { headers: { ...headers, authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return { body: (await response.json()) as Body, checkpointHeader: response.headers.get(CHECKPOINT_HEADER) };
  };
  /** Projects the log's events up to index `end` (exclusive), from where the model stands. */
  let projected = 0;
  const projectTo = async (end: number) => {
    const batch = log.slice(projected, end);
    const at = batch.at(-1) as RecordedEvent;
    const result = await projectIntoStore(readStore, state, batch, at.position, resolve);
    state = result.state;
    projected = end;
  };

  beforeAll(async () => {
    events = await openEventStore({ kind: 'memory' });
    await appendScenario(events);
    log = (await events.readAll({ after: START, limit: 10_000 })).events;
    const store = await openKpiReadStore({ kind: 'memory' });
    // The real PGlite store, counting the figure reads the API makes: each report is read in a snapshot,
    // whose figures go to the snapshot's own view of the store, so a snapshot counts as one read.
    readStore = new Proxy(store, {
      get(target, name, receiver) {
        if (name === 'figures' || name === 'snapshot') figureReads += 1;
        const value = Reflect.get(target, name, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    state = await loadProjectorState(readStore);

    kpi = await startKpiHttpApp({ events, readStore, serviceName: 'kpi-fresh-spec' });
    token = await kpi.token({ subject: 'ministry-1', role: 'ministry' });
  });

  afterAll(async () => {
    await kpi?.close();
    await readStore?.close();
    await events?.close();
  });

  it('reads a report once for 20 clients asking at the same checkpoint, and not again while it stands', async () => {
    // Everything but province 79's visits and the retraction (the scenario's last events).
    const firstPart = log.findIndex((e) => e.type === 'HouseholdVisitRecorded' && (e.data as { communeCode: string }).communeCode === '25747');
    await projectTo(firstPart);
    const before = figureReads;
    const answers = await Promise.all(Array.from({ length: 20 }, () => province82()));
    expect(figureReads - before).toBe(1);
    expect(new Set(answers.map((a) => JSON.stringify(a.body)))).toHaveProperty('size', 1);
    // Team A's 3 visits and team B's 1, none retracted yet.
    expect(visits(answers[0].body)).toBe(4);
    expect(answers[0].body.watermark).toEqual({ checkpoint: expect.objectContaining({ globalPosition: log[firstPart - 1].position.globalPosition }), exact: true, stale: false });

    await province82();
    expect(figureReads - before).toBe(1);
  });

  it('answers at the current checkpoint by default, as soon as a batch lands', async () => {
    // Province 79's visits: province 82's figures are unchanged, but the answer is that of the new checkpoint.
    const retraction = log.findIndex((e) => e.type === 'ActivityRetracted');
    await projectTo(retraction);
    const current = await province82();
    expect([visits(current.body), current.body.watermark]).toEqual([4, { checkpoint: expect.objectContaining({ globalPosition: log[retraction - 1].position.globalPosition }), exact: true, stale: false }]);
  });

  it('with Cache-Control: max-stale, serves the previous checkpoint\'s answer at once, labelled in the body and the header, then the current one', async () => {
    const previous = await province82();
    await projectTo(log.length);

    const stale = await province82({ 'cache-control': 'max-stale=60' });
    const at = previous.body.watermark.checkpoint as { transactionId: string; globalPosition: string };
    expect([visits(stale.body), stale.body.watermark, stale.checkpointHeader]).toEqual([4, { checkpoint: at, exact: true, stale: true }, `${at.transactionId}/${at.globalPosition}`]);

    // The current answer was computed meanwhile (the retraction: 3 visits); the same client now gets it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const current = await province82({ 'cache-control': 'max-stale=60' });
    expect([visits(current.body), current.body.watermark]).toEqual([3, { checkpoint: expect.objectContaining({ globalPosition: log[log.length - 1].position.globalPosition }), exact: true, stale: false }]);
  });
});
