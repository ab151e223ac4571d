import autocannon from 'autocannon';
import type { MultiBar } from 'cli-progress';
import type { PlannedActivity } from '@cdt/simulation';
import type { CpuMeter, CpuSplit } from './cpu-meter';
import type { ServiceProcess } from './service';

const KIND_PATHS: Record<PlannedActivity['kind'], string> = {
  'household-visit': '/v1/activities/household-visits',
  'training-enrollment': '/v1/activities/training-enrollments',
  'training-completion': '/v1/activities/training-completions',
  'app-install-assist': '/v1/activities/app-install-assists',
  'digital-service-assist': '/v1/activities/digital-service-assists',
};

export interface SinglePhaseResult {
  requests: number;
  achievedPerSecond: number;
  p50: number;
  p99: number;
  /** Connection errors, timeouts and every answer other than 201 (each activity is new). */
  errors: number;
  rssMb: number;
  cpu: CpuSplit;
  created: Set<string>;
  /** Sent but unanswered when the duration ended (autocannon closes its connections): may be stored. */
  abandoned: Set<string>;
  problems: string[];
}

/**
 * autocannon at a fixed overall rate: each request is the next planned activity (its own activityId,
 * team and kind), sent to that kind's endpoint, so every answer must be 201 created.
 *
 * autocannon's limiter lets each connection send its share of the second's requests back to back from
 * the start of every second, then wait: the server sees `connections` concurrent requests in bursts,
 * not a smooth stream, so more connections mean a harsher test. Latencies are recorded as measured
 * (no coordinated-omission correction: with bursts there is no expected interval to correct against).
 */
export async function runSinglePhase(
  bars: MultiBar,
  service: ServiceProcess,
  token: string,
  activities: PlannedActivity[],
  meter: CpuMeter,
  options: { rate: number; seconds: number; connections: number },
): Promise<SinglePhaseResult> {
  const bar = bars.create(options.seconds, 0, { label: 'single POSTs'.padEnd(18) });
  const created = new Set<string>();
  const problems: string[] = [];
  const sent: string[] = [];
  let unexpected = 0;
  let next = 0;
  await meter.begin();
  const peakRss = service.sampleRss();
  const ticker = setInterval(() => bar.increment(), 1000);
  const result = await autocannon({
    url: service.url,
    connections: options.connections,
    overallRate: options.rate,
    duration: options.seconds,
    timeout: 10,
    ignoreCoordinatedOmission: true,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const activity = activities[next++];
          if (!activity) throw new Error(`ran out of planned activities after ${activities.length}: plan more`);
          sent.push(activity.body.activityId);
          return { ...request, path: KIND_PATHS[activity.kind], body: JSON.stringify(activity.body) };
        },
        onResponse: (status, body) => {
          if (status === 201) {
            created.add((JSON.parse(body) as { activityId: string }).activityId.toLowerCase());
            return;
          }
          unexpected++;
          if (problems.length < 5) problems.push(`${status} ${body.slice(0, 300)}`);
        },
      },
    ],
  });
  clearInterval(ticker);
  const cpu = await meter.end();
  bar.update(options.seconds);
  bar.stop();
  return {
    requests: result.requests.total,
    achievedPerSecond: Math.round(result.requests.total / options.seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + unexpected,
    rssMb: peakRss(),
    cpu,
    created,
    abandoned: new Set(unexpected === 0 ? sent.filter((id) => !created.has(id.toLowerCase())) : []),
    problems,
  };
}
