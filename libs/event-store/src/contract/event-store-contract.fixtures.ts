import { randomUUID } from 'node:crypto';
import { compareCheckpoints } from '../lib/event-rows';
import type { AppendResult, EventStore, NewEvent, RecordedEvent } from '../lib/event-store.port';
import type { Upcaster } from '../lib/upcasting';

/** The upcaster every contract store is built with: `ContractRenamed` v1 {name} → v2 {fullName}. */
export const CONTRACT_UPCASTERS: Upcaster[] = [
  {
    type: 'ContractRenamed',
    fromSchemaVersion: 1,
    upcast: (data) => ({ schemaVersion: 2, data: { fullName: data['name'], source: 'upcast' } }),
  },
];

export function newEvent(type = 'ContractHappened', data: Record<string, unknown> = { n: 1 }, schemaVersion = 1): NewEvent {
  return {
    eventId: randomUUID(),
    type,
    schemaVersion,
    data,
    metadata: { occurredAt: '2025-07-01T09:00:00+07:00', actor: 'contract', correlationId: randomUUID() },
  };
}

export function events(count: number, type?: string): NewEvent[] {
  return Array.from({ length: count }, (_, i) => newEvent(type, { n: i + 1, note: `chú thích ${i + 1}` }));
}

/** A prefix no other test uses, so global-log assertions ignore everyone else's events. */
export function uniquePrefix(label: string): string {
  return `contract${randomUUID().slice(0, 8)}-${label}-`;
}

/** Reads the whole (filtered) log page by page, as a subscriber would. */
export async function readAllPages(store: EventStore, prefix: string, limit: number, types?: string[]): Promise<RecordedEvent[]> {
  const seen: RecordedEvent[] = [];
  let page = await store.readAll({ limit, filter: { streamPrefixes: [prefix], types } });
  for (let guard = 0; guard < 10_000; guard++) {
    seen.push(...page.events);
    if (page.atHead) return seen;
    page = await store.readAll({ after: page.checkpoint, limit, filter: { streamPrefixes: [prefix], types } });
  }
  throw new Error('readAll never reached the head');
}

/**
 * On PostgreSQL an event is visible to readers only once every older transaction on the server has
 * ended (gap safety); other suites share the server, so waits are generous: they cost time only when
 * a test is failing.
 */
const VISIBILITY_TIMEOUT_MS = 90_000;

export async function eventually(assertion: () => void, timeoutMs = VISIBILITY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/**
 * Gap-safe readers see a commit only once every older transaction (anywhere on the server) has ended,
 * so global-log assertions first wait until the log's visible head has reached what was appended.
 */
export async function untilVisible(store: EventStore, appended: AppendResult): Promise<void> {
  const last = appended.events[appended.events.length - 1].position;
  const deadline = Date.now() + VISIBILITY_TIMEOUT_MS;
  while (compareCheckpoints(await store.head(), last) < 0) {
    if (Date.now() > deadline) throw new Error(`position ${last.transactionId}/${last.globalPosition} never became visible`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
