import { randomUUID } from 'node:crypto';
import {
  WrongExpectedVersionError,
  type Checkpoint,
  type EventMetadata,
  type EventStore,
  type RecordedEvent,
} from '@cdt/event-store';

export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState: State;
}

export interface DecisionOptions<Event> {
  metadata: EventMetadata;
  /** The stream version the caller read: a stale one is refused (409) instead of retried. */
  expectedVersion?: number;
  /** The event id to append each event under; random by default (idempotency comes from the decider). */
  eventIdOf?: (event: Event) => string;
  /** Keeps only the events the decider folds (a stream may in theory hold other types). */
  accepts?: (event: RecordedEvent) => boolean;
}

export interface DecisionResult {
  streamName: string;
  /** The stream version after the decision (what to send as expectedVersion next). */
  version: number;
  /** Position of the newest event the decision appended, or of the stream head when it was a no-op. */
  position: Checkpoint | null;
  appended: number;
}

/** Concurrent writers to one stream are rare (one team, one officer); a few rounds settle them. */
export const MAX_DECISION_ATTEMPTS = 5;

/**
 * The one write path of a use case: read the stream, fold it, decide, append at the version read.
 * When another writer got there first the whole round repeats on fresh state, unless the caller pinned
 * the version it decided on, which then fails with WrongExpectedVersionError.
 */
export async function decideAndAppend<Command, Event extends { type: string; schemaVersion: number; data: object }, State>(
  store: EventStore,
  streamName: string,
  decider: Decider<Command, Event, State>,
  command: Command,
  options: DecisionOptions<Event>,
): Promise<DecisionResult> {
  for (let attempt = 1; ; attempt++) {
    const recorded = await store.readStream(streamName);
    const version = recorded.at(-1)?.streamVersion ?? 0;
    if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
      throw new WrongExpectedVersionError(streamName, options.expectedVersion, version);
    }
    const history = options.accepts ? recorded.filter(options.accepts) : recorded;
    const state = history.reduce((s, event) => decider.evolve(s, event as unknown as Event), decider.initialState);
    const events = decider.decide(command, state);
    if (events.length === 0) return { streamName, version, position: recorded.at(-1)?.position ?? null, appended: 0 };
    try {
      const result = await store.append(
        streamName,
        events.map((event) => ({
          eventId: options.eventIdOf?.(event) ?? randomUUID(),
          type: event.type,
          schemaVersion: event.schemaVersion,
          data: event.data as Record<string, unknown>,
          metadata: options.metadata,
        })),
        version,
      );
      return {
        streamName,
        version: result.nextExpectedVersion,
        position: result.events.at(-1)?.position ?? null,
        appended: result.duplicate ? 0 : result.events.length,
      };
    } catch (error) {
      const raced = error instanceof WrongExpectedVersionError && options.expectedVersion === undefined;
      if (!raced || attempt >= MAX_DECISION_ATTEMPTS) throw error;
    }
  }
}
