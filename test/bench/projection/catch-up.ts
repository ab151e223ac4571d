import type { MultiBar } from 'cli-progress';
import { START, type Checkpoint, type EventStore, type ProjectedEvent, type ReadAllOptions, type ReadAllResult } from '@cdt/event-store';
import type { UnitResolver } from '@cdt/domain-kpi';
import { loadModel2State, loadProjectorState, Model2Pipeline, projectIntoModel2, projectIntoStore, type KpiModel2Store, type KpiReadStore } from '@cdt/read-store';

export interface PassResult {
  events: number;
  seconds: number;
  perSecond: number;
  /** Where the time went, summed over batches (ms): waiting for the next page, projecting + writing. */
  readWaitMs: number;
  projectMs: number;
  batches: number;
}

/**
 * Reads the whole log in pages of `page` from the start, one page ahead of the caller (the next read
 * runs while the current page is handled, as a runner would overlap them), and hands each page over.
 * `read` is readAll (whole events) or readAllNarrow (what a projection reads, as the runner and rebuild do).
 */
async function eachPage<Event extends ProjectedEvent>(
  read: (options: ReadAllOptions) => Promise<ReadAllResult<Event>>,
  page: number,
  handle: (result: ReadAllResult<Event>) => Promise<void>,
): Promise<{ events: number; readWaitMs: number; handleMs: number; batches: number }> {
  let after: Checkpoint = START;
  let next = read({ after, limit: page });
  let events = 0;
  let readWaitMs = 0;
  let handleMs = 0;
  let batches = 0;
  for (;;) {
    const t0 = performance.now();
    const result = await next;
    const t1 = performance.now();
    readWaitMs += t1 - t0;
    after = result.checkpoint;
    if (!result.atHead) next = read({ after, limit: page });
    if (result.events.length > 0) {
      await handle(result);
      events += result.events.length;
      batches += 1;
    }
    handleMs += performance.now() - t1;
    if (result.atHead) return { events, readWaitMs, handleMs, batches };
  }
}

const passResult = (started: number, pass: { events: number; readWaitMs: number; handleMs: number; batches: number }): PassResult => {
  const seconds = (performance.now() - started) / 1000;
  return {
    events: pass.events, seconds: Math.round(seconds * 10) / 10, perSecond: Math.round(pass.events / seconds),
    readWaitMs: Math.round(pass.readWaitMs), projectMs: Math.round(pass.handleMs), batches: pass.batches,
  };
};

/**
 * The baseline: every event read from the store in pages, nothing projected. Whole events (readAll) by
 * default, the raw baseline; `narrow`: readAllNarrow, what the projection passes read.
 */
export async function readOnly(bars: MultiBar, store: EventStore, total: number, page: number, narrow = false): Promise<PassResult> {
  const bar = bars.create(total, 0, { label: (narrow ? 'read only narrow' : 'read only').padEnd(18) });
  const started = performance.now();
  const count = async (result: ReadAllResult<ProjectedEvent>) => void bar.increment(result.events.length);
  const pass = narrow ? await eachPage((options) => store.readAllNarrow(options), page, count) : await eachPage((options) => store.readAll(options), page, count);
  bar.stop();
  return passResult(started, pass);
}

/** Catch-up from the start, reading narrow: each page projected and written with its checkpoint (projectIntoStore). */
export async function catchUp(bars: MultiBar, label: string, store: EventStore, readStore: KpiReadStore, resolve: UnitResolver, total: number, page: number): Promise<PassResult> {
  const bar = bars.create(total, 0, { label: label.padEnd(18) });
  const started = performance.now();
  let state = await loadProjectorState(readStore);
  const pass = await eachPage((options) => store.readAllNarrow(options), page, async (result) => {
    const next = await projectIntoStore(readStore, state, result.events, result.checkpoint, resolve);
    if (!next.applied) throw new Error(`batch ending at ${JSON.stringify(result.checkpoint)} was refused: the read store is not empty`);
    state = next.state;
    bar.increment(result.events.length);
  });
  bar.stop();
  return passResult(started, pass);
}

/**
 * Catch-up into KPI model 2 (ADR 0010) from the start, reading narrow: each page prefetched, projected and written with
 * its checkpoint; pipelined (Model2Pipeline), a page's write overlaps the next page's projection.
 */
export async function catchUpModel2(bars: MultiBar, label: string, store: EventStore, model: KpiModel2Store, resolve: UnitResolver, total: number, page: number, pipelined: boolean): Promise<PassResult> {
  const bar = bars.create(total, 0, { label: label.padEnd(18) });
  const started = performance.now();
  const pipeline = pipelined ? await Model2Pipeline.start(model, resolve) : undefined;
  let state = await loadModel2State(model);
  const pass = await eachPage((options) => store.readAllNarrow(options), page, async (result) => {
    if (pipeline) await pipeline.push(result.events, result.checkpoint);
    else {
      const next = await projectIntoModel2(model, result.events, resolve, state, result.checkpoint);
      if (!next.applied) throw new Error(`batch ending at ${JSON.stringify(result.checkpoint)} was refused: the model-2 store is not empty`);
      state = next.state;
    }
    bar.increment(result.events.length);
  });
  await pipeline?.flush();
  bar.stop();
  return passResult(started, pass);
}
