import type { MultiBar } from 'cli-progress';
import { percentiles } from '../store-append';
import type { CpuMeter, CpuSplit } from './cpu-meter';
import type { ServiceProcess } from './service';
import type { Workload } from './workload';

interface BatchAnswer {
  results: { activityId: string | null; status: 'created' | 'duplicate' | 'rejected'; problem?: unknown }[];
}

export interface BatchPhaseResult {
  activities: number;
  requests: number;
  activitiesPerSecond: number;
  p50: number;
  p99: number;
  rssMb: number;
  /** CPU of the service and of its PostgreSQL backends while the clock ran. */
  cpu: CpuSplit;
  /** Activity ids the service answered `created` for, in the first send of each batch. */
  created: Set<string>;
  rejected: number;
  /** Batches sent a second time (a hub that lost the answer): every item must come back `duplicate`. */
  resent: number;
  resentNotDuplicate: number;
  problems: unknown[];
}

/**
 * `concurrency` clients take batches off one queue and POST them; the clock runs from the first send to
 * the last answer. Then, off the clock, every `retryEvery`-th batch is sent again: each item the first
 * send took must come back `duplicate`.
 */
export async function runBatchPhase(
  bars: MultiBar,
  service: ServiceProcess,
  token: string,
  batches: Workload['batches'],
  meter: CpuMeter,
  options: { concurrency: number; retryEvery: number },
): Promise<BatchPhaseResult> {
  const total = batches.reduce((n, b) => n + b.activityIds.length, 0);
  const bar = bars.create(total, 0, { label: 'batched ingestion'.padEnd(18) });
  const result: BatchPhaseResult = { activities: total, requests: batches.length, activitiesPerSecond: 0, p50: 0, p99: 0, rssMb: 0, cpu: { serviceMs: 0, postgresMs: 0 }, created: new Set(), rejected: 0, resent: 0, resentNotDuplicate: 0, problems: [] };
  const latencies: number[] = [];
  const firstAnswers: BatchAnswer[] = new Array(batches.length);
  await meter.begin();
  const peakRss = service.sampleRss();
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, async () => {
    for (let index = next++; index < batches.length; index = next++) {
      const t0 = performance.now();
      const answer = await post(service.url, token, batches[index].body);
      latencies.push(performance.now() - t0);
      for (const item of answer.results) {
        if (item.status === 'created' && item.activityId) result.created.add(item.activityId);
        else if (item.status === 'rejected') {
          result.rejected++;
          if (result.problems.length < 5) result.problems.push(item.problem);
        }
      }
      bar.increment(answer.results.length);
      firstAnswers[index] = answer;
    }
  }));
  const elapsedMs = performance.now() - started;
  const rssMb = peakRss();
  result.cpu = await meter.end();
  bar.stop();

  // After the clock: a share of batches is sent again, as by a hub that lost the answer.
  const resend = batches.flatMap((batch, index) => (options.retryEvery > 0 && index % options.retryEvery === 0 ? [index] : []));
  await eachLimited(resend, options.concurrency, async (index) => {
    const again = await post(service.url, token, batches[index].body);
    firstAnswers[index].results.forEach((first, i) => {
      if (first.status === 'rejected') return;
      result.resent++;
      if (again.results[i]?.status !== 'duplicate') result.resentNotDuplicate++;
    });
  });
  return { ...result, activitiesPerSecond: Math.round((total * 1000) / elapsedMs), ...percentiles(latencies), rssMb };
}

async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

async function post(baseUrl: string, token: string, body: string): Promise<BatchAnswer> {
  const response = await fetch(`${baseUrl}/v1/activities:batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST /v1/activities:batch answered ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as BatchAnswer;
}
