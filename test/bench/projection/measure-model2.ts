/**
 * Measurement aid (not a benchmark, nothing asserted): the pure projectors of KPI model 1 and model 2
 * (ADR 0010) on the same generated log, in memory, in pages of `page` events. Model 1 projects with no
 * stored contributions (as profile-catch-up.ts does); model 2 reads team histories (for relocations) from
 * the in-memory model-2 store, which applies each page's deltas outside the timed part. CPU time is
 * printed next to wall time: on a shared machine it is the steadier of the two.
 *   node -r ./scripts/register.js test/bench/projection/measure-model2.ts [events=100000] [page=20000] [models=1,2]
 */
import { loadAdminUnits } from '@cdt/admin-units';
import {
  applyModel2Deltas,
  emptyModel2,
  initialProjectorState,
  model2Context,
  model2StateOf,
  projectBatch,
  projectBatchModel2,
  type ProjectionEvent,
} from '@cdt/domain-kpi';
import { adminUnitResolver } from './resolver';
import { projectionLog } from './workload';

/** CPU time of the process (all its threads, the garbage collector's included) since `from`, in ms. */
const cpuMs = (from: NodeJS.CpuUsage): number => {
  const { user, system } = process.cpuUsage(from);
  return (user + system) / 1000;
};

function main(): void {
  const [eventsArg = '100000', pageArg = '20000', modelsArg = '1,2'] = process.argv.slice(2);
  const models = new Set(modelsArg.split(','));
  const units = loadAdminUnits();
  const resolve = adminUnitResolver(units);
  const log: ProjectionEvent[] = [];
  for (const append of projectionLog(units, { events: Number(eventsArg), provinces: ['82', '79', '01'], teams: 3000, perTeamPerDay: 5, retractShare: 0.01, relocateShare: 0.02, seed: 1 })) {
    for (const event of append.events) log.push({ eventId: event.eventId, type: event.type, data: event.data });
  }
  const page = Number(pageArg);
  const pages = Array.from({ length: Math.ceil(log.length / page) }, (_, i) => log.slice(i * page, (i + 1) * page));

  // Model 1: the projector alone.
  let state1 = initialProjectorState;
  const applied1 = new Set<string>();
  const m1 = { ms: 0, cpu: 0, counts: 0, refs: 0 };
  for (const events of models.has('1') ? pages : []) {
    const [t0, c0] = [performance.now(), process.cpuUsage()];
    const { state, deltas } = projectBatch(state1, events, { resolve, isApplied: (id) => applied1.has(id), contributionsOf: () => ({ counts: [], refs: [] }) });
    m1.ms += performance.now() - t0;
    m1.cpu += cpuMs(c0);
    state1 = state;
    for (const id of deltas.appliedEventIds) applied1.add(id);
    m1.counts += deltas.counts.length;
    m1.refs += deltas.refs.length;
  }

  // Model 2: the projector with its store's reads (team histories of relocations) inside the timed part.
  const model = emptyModel2();
  const m2 = { ms: 0, cpu: 0, facts: 0, deleted: 0, stocks: 0, cells: 0 };
  for (const events of models.has('2') ? pages : []) {
    const [t0, c0] = [performance.now(), process.cpuUsage()];
    const { deltas } = projectBatchModel2(model2StateOf(model), events, model2Context(model, resolve));
    m2.ms += performance.now() - t0;
    m2.cpu += cpuMs(c0);
    applyModel2Deltas(model, deltas);
    m2.facts += deltas.factsInserted.length;
    m2.deleted += deltas.factIdsDeleted.length;
    m2.stocks += deltas.stockFacts.length;
    m2.cells += deltas.cells.length;
  }

  const n = log.length;
  const perEvent = (rows: number) => (rows / n).toFixed(2);
  const rate = (ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en');
  const time = (m: { ms: number; cpu: number }) => `${(m.ms / 1000).toFixed(2)} s wall (${rate(m.ms)} events/s), ${(m.cpu / 1000).toFixed(2)} s CPU (${rate(m.cpu)} events/s)`;
  process.stdout.write(
    [
      `${n} events in ${pages.length} pages of ${page}`,
      ...(models.has('1') ? [`model 1 projectBatch: ${time(m1)}; rows per event: ${perEvent(m1.counts)} figure + ${perEvent(m1.refs)} refcount`] : []),
      ...(models.has('2')
        ? [
            `model 2 projectBatchModel2: ${time(m2)}; rows per event: ${perEvent(m2.facts)} facts + ${perEvent(m2.deleted)} deletions + ${perEvent(m2.stocks)} stock facts + ${perEvent(m2.cells)} wide cells`,
            `model 2 store at the end: ${model.facts.size} facts, ${model.cells.size} wide cells`,
          ]
        : []),
    ].join('\n') + '\n',
  );
}

main();
