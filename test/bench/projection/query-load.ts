import type { MultiBar } from 'cli-progress';
import type { KpiQueries, UnitRef } from '@cdt/read-store';
import type { Level, View } from '@cdt/domain-kpi';
import { percentiles, round1 } from '../store-append';

export interface DrillDown {
  view: View;
  unit: UnitRef;
  childLevel: Level;
  indicator: string;
  period: string;
}

export interface QueryLoadResult {
  queries: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** The slowest thousandth and the slowest call: a wait that p99 hides when few calls make it (one per batch landing). */
  p999: number;
  max: number;
  /** Children ranked by the last answer (a sanity check that the query found the province's communes). */
  children: number;
}

/** `clients` loops calling `KpiQueries.rankChildren` back to back for `seconds`; latency per call. */
export async function drillDownLoad(bars: MultiBar, label: string, queries: KpiQueries, drill: DrillDown, clients: number, seconds: number): Promise<QueryLoadResult> {
  return queryLoad(bars, label, () => queries.rankChildren(drill.view, drill.unit, drill.childLevel, drill.indicator, drill.period), clients, seconds);
}

/** `clients` loops calling `run` back to back for `seconds`; latency per call; `children` is the length of the last answer. */
export async function queryLoad(bars: MultiBar, label: string, run: () => Promise<readonly unknown[]>, clients: number, seconds: number): Promise<QueryLoadResult> {
  const bar = bars.create(seconds, 0, { label: label.padEnd(18) });
  const latencies: number[] = [];
  let children = 0;
  children = (await run()).length; // warm the pool and the plan cache
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const ticker = setInterval(() => bar.update(Math.min(seconds, Math.floor((performance.now() - started) / 1000))), 1000);
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      children = (await run()).length;
      latencies.push(performance.now() - t0);
    }
  }));
  clearInterval(ticker);
  bar.update(seconds);
  bar.stop();
  const elapsed = (performance.now() - started) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  const tail = { p999: round1(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.999))] ?? 0), max: round1(sorted.at(-1) ?? 0) };
  return { queries: latencies.length, perSecond: Math.round(latencies.length / elapsed), ...percentiles(latencies), ...tail, children };
}
