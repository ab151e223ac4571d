import type { MultiBar } from 'cli-progress';
import type { EventStore } from '@cdt/event-store';
import type { Append } from './workload';

/**
 * Appends a generated log through the event store (setup, not measured): up to `writers` appends in
 * flight, drained at every change of stream kind so registry facts (establishments, the reform's
 * relocations) commit before the activities that follow them in the log.
 */
export async function appendLog(bars: MultiBar, store: EventStore, log: Iterable<Append>, expected: number, writers: number): Promise<number> {
  const bar = bars.create(expected, 0, { label: 'generate + append'.padEnd(18) });
  const inFlight = new Set<Promise<void>>();
  let appended = 0;
  let lastKind = '';
  for (const { stream, events } of log) {
    const kind = stream.slice(0, stream.indexOf('-'));
    if (kind !== lastKind || inFlight.size >= writers) {
      if (kind !== lastKind) await Promise.all(inFlight);
      else await Promise.race(inFlight);
      lastKind = kind;
    }
    const append: Promise<void> = store.append(stream, events, 'any').then(() => {
      inFlight.delete(append);
      appended += events.length;
      bar.update(Math.min(appended, expected));
    });
    inFlight.add(append);
  }
  await Promise.all(inFlight);
  bar.update(appended);
  bar.stop();
  return appended;
}
