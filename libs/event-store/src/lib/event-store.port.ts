/**
 * The event-store port: the one contract every adapter (PostgreSQL, embedded PGlite, EventStoreDB)
 * honours, proven by the shared contract suite in libs/testing.
 */

export const EVENT_STORE = Symbol('EVENT_STORE');

export interface EventMetadata {
  /** When the fact happened in the field (ISO-8601 with offset). */
  occurredAt: string;
  /** Who caused it: a user id or a system component. */
  actor: string;
  correlationId: string;
  causationId?: string;
  deviceId?: string;
}

/** An event as a writer hands it to the store. `eventId` makes the append idempotent. */
export interface NewEvent<Type extends string = string, Data = Record<string, unknown>> {
  eventId: string;
  type: Type;
  schemaVersion: number;
  data: Data;
  metadata: EventMetadata;
}

/** Where an event sits in the global log: readers order by (transactionId, globalPosition). */
export interface Checkpoint {
  /** xid8 of the writing transaction, as a decimal string. */
  transactionId: string;
  /** Global position (bigint), as a decimal string. */
  globalPosition: string;
}

export const START: Checkpoint = { transactionId: '0', globalPosition: '0' };

export interface RecordedEvent<Type extends string = string, Data = Record<string, unknown>>
  extends NewEvent<Type, Data> {
  streamName: string;
  /** 1 for the first event of a stream. */
  streamVersion: number;
  position: Checkpoint;
  /** When the store accepted it (ISO-8601, UTC). */
  recordedAt: string;
  /** hex sha-256 chain hash: H(prevHash ‖ contentDigest ‖ stream/version/recordedAt). */
  hash: string;
}

/**
 * What a projection reads of an event: no metadata, hash, recordedAt or stream, which the narrow read
 * (`readAllNarrow`, `subscribe({ narrow: true })`) leaves in the database (ADR 0010 decision 7).
 * A RecordedEvent is one too, so whole-event feeds (Kafka) can serve a narrow reader.
 */
export type ProjectedEvent = Pick<RecordedEvent, 'eventId' | 'type' | 'schemaVersion' | 'data' | 'position'>;

/** `number`: the stream must be at exactly that version (0 = empty). */
export type ExpectedVersion = number | 'any' | 'no-stream';

export interface AppendedPosition {
  eventId: string;
  streamVersion: number;
  position: Checkpoint;
}

export interface AppendResult {
  streamName: string;
  /** The stream's version after the append (what to pass as expectedVersion next). */
  nextExpectedVersion: number;
  /** True when every event id was already in the stream: nothing was written. */
  duplicate: boolean;
  events: AppendedPosition[];
}

export interface ReadStreamOptions {
  /** First version to return (inclusive, default 1). */
  fromVersion?: number;
  /** Only events recorded at or before this instant (ISO-8601): the stream as it stood then. */
  asOf?: string;
  limit?: number;
  /** Return events exactly as stored, without upcasting: what chain verification needs. */
  raw?: boolean;
}

export interface EventFilter {
  types?: string[];
  /** Stream-name prefixes, e.g. `activity-` or `team-42`. */
  streamPrefixes?: string[];
}

export interface ReadAllOptions {
  after?: Checkpoint;
  limit?: number;
  filter?: EventFilter;
  /** Return events exactly as stored, without upcasting. */
  raw?: boolean;
}

export interface ReadAllResult<Event extends ProjectedEvent = RecordedEvent> {
  events: Event[];
  /** Where the next read continues; advances past filtered-out events too. */
  checkpoint: Checkpoint;
  /** True when the reader has reached the visible head of the log. */
  atHead: boolean;
}

interface SubscribeBase {
  after?: Checkpoint;
  filter?: EventFilter;
  batchSize?: number;
  onError?: (error: unknown) => void;
}

export interface WholeSubscribeOptions extends SubscribeBase {
  narrow?: false;
  /** Called with each batch in commit order; the next batch waits until it resolves. */
  handler: (events: RecordedEvent[], checkpoint: Checkpoint) => Promise<void>;
}

/** A subscription over `readAllNarrow`: batches of ProjectedEvent (a feed of whole events may still hand whole ones). */
export interface NarrowSubscribeOptions extends SubscribeBase {
  narrow: true;
  /** Called with each batch in commit order; the next batch waits until it resolves. */
  handler: (events: ProjectedEvent[], checkpoint: Checkpoint) => Promise<void>;
}

export type SubscribeOptions = WholeSubscribeOptions | NarrowSubscribeOptions;

export interface Subscription {
  /** Stops after the batch in hand; resolves when stopped. */
  stop(): Promise<void>;
  /** Resolves when the subscriber has delivered everything visible at call time. */
  caughtUp(): Promise<void>;
}

/** A stream as `event_store.streams` records it: what the next append chains from. */
export interface StreamHead {
  streamName: string;
  version: number;
  /** hex sha-256 chain hash of the stream's newest event (32 zero bytes for an empty stream). */
  lastHash: string;
}

export interface EventStore {
  append(streamName: string, events: NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult>;
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<ReadAllResult>;
  /**
   * `readAll` with only what a projection reads (ProjectedEvent): same pages, filter, checkpoint, atHead
   * and upcasting; metadata, hash and recordedAt never leave the database. A method of its own, not a
   * readAll option, so every readAll keeps one honest result type.
   */
  readAllNarrow(options?: ReadAllOptions): Promise<ReadAllResult<ProjectedEvent>>;
  /**
   * The stored events with these ids, in any stream, in log order; ids not stored are simply absent.
   * Lets a writer answer a retry with the original position, or find the stream an event lives in,
   * in one round trip for a whole batch.
   */
  readEventsById(eventIds: string[]): Promise<RecordedEvent[]>;
  subscribe(options: SubscribeOptions): Subscription;
  /** Every stream's recorded head, by name: lets an auditor notice a stream's newest events deleted. */
  readStreamHeads(): Promise<StreamHead[]>;
  /** The checkpoint of the newest visible event (START when empty). */
  head(): Promise<Checkpoint>;
  close(): Promise<void>;
}

export class WrongExpectedVersionError extends Error {
  readonly code = 'WRONG_EXPECTED_VERSION';
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(`stream ${streamName} is at version ${actual}, expected ${String(expected)}`);
  }
}

/** Some, not all, of the event ids of one append are already stored: the batch is not a retry. */
export class EventIdConflictError extends Error {
  readonly code = 'EVENT_ID_CONFLICT';
  constructor(
    readonly streamName: string,
    readonly eventIds: string[],
  ) {
    super(`event ids already stored elsewhere or in part: ${eventIds.join(', ')}`);
  }
}
