import { ChangeSignal } from './change-signal';
import { EVENT_COLUMNS, EventRow, filterParams, PROJECTED_COLUMNS, ProjectedRow, toProjectedEvent, toRecordedEvent } from './event-rows';
import {
  AppendResult,
  Checkpoint,
  EventIdConflictError,
  EventStore,
  ExpectedVersion,
  NewEvent,
  ReadAllOptions,
  ProjectedEvent,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  START,
  StreamHead,
  SubscribeOptions,
  Subscription,
  WrongExpectedVersionError,
} from './event-store.port';
import { canonicalContent, sha256 } from './hash-chain';
import type { SqlClient } from './sql-client';
import { startSubscription } from './subscription';
import type { UpcastFn } from './upcasting';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A filtered readAll looks at up to this many times `limit` rows before returning a partial page. */
const FILTER_SCAN_FACTOR = 10;

/**
 * Gap safety: only rows written by transactions older than every transaction still running are read,
 * so a row can never appear later *behind* a checkpoint a reader has already passed.
 */
export const VISIBLE = 'e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())';

/**
 * One page of the global log in commit order, gap-safe: up to `$3` visible rows after the checkpoint are
 * scanned; the page is the rows matching the filter plus the last scanned row (flagged unmatched), whose
 * position the checkpoint moves to. `scan` lists the columns the scan carries (it needs event_type and
 * stream_name for the filter), `columns` what leaves the database.
 */
function readAllSql(scan: string, columns: string): string {
  return `
  with win as (
    select ${scan} from event_store.events e
     where (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint) and ${VISIBLE}
     order by e.transaction_id, e.global_position
     limit $3
  ), numbered as (
    select win.*, row_number() over (order by win.transaction_id, win.global_position) as rn,
           count(*) over () as scanned,
           ($4::text[] is null or win.event_type = any($4::text[]))
             and ($5::text[] is null or win.stream_name like any($5::text[])) as matched
      from win
  )
  select ${columns}, e.rn::int as rn, e.scanned::int as scanned, e.matched
    from numbered e
   where e.matched or e.rn = e.scanned
   order by e.rn`;
}

const READ_ALL_SQL = readAllSql('e.*', EVENT_COLUMNS);
/** The narrow read: metadata, hash and recorded_at are not even carried through the scan. */
const READ_ALL_NARROW_SQL = readAllSql('e.transaction_id, e.global_position, e.stream_name, e.event_id, e.event_type, e.schema_version, e.data', PROJECTED_COLUMNS);

const HEAD_SQL = `
  select e.transaction_id::text as transaction_id, e.global_position::text as global_position
    from event_store.events e where ${VISIBLE}
   order by e.transaction_id desc, e.global_position desc limit 1`;

interface AppendRow {
  event_id: string;
  stream_version: number;
  transaction_id: string;
  global_position: string;
  duplicate: boolean;
  current_version: number;
}

interface DatabaseError {
  code?: string;
  detail?: string;
  constraint?: string;
}

/** The whole store over one SQL dialect; engines differ only in the client and how they signal change. */
export class SqlEventStore implements EventStore {
  protected readonly changes = new ChangeSignal();
  private readonly subscriptions = new Set<Subscription>();

  constructor(
    protected readonly client: SqlClient,
    private readonly upcast: UpcastFn,
    /** How long a live subscription sleeps when no signal arrives (rows may turn visible without one). */
    private readonly pollIntervalMs = 1000,
  ) {}

  /** See ManagedEventStore.database. */
  get database(): SqlClient {
    return this.client;
  }

  async append(streamName: string, events: NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult> {
    const payload = appendPayloadJson(events);
    const expected = expectedVersion === 'any' ? -1 : expectedVersion === 'no-stream' ? 0 : expectedVersion;
    if (!Number.isInteger(expected) || expected < -1) throw new RangeError(`invalid expected version ${String(expectedVersion)}`);
    // A racing append of the same event id to another stream surfaces as a unique violation; the
    // retry then sees the winner's committed row and answers duplicate or conflict like any retry.
    for (let attempt = 1; ; attempt++) {
      try {
        const { rows } = await this.client.query<AppendRow>('select * from event_store.cdt_append($1, $2, $3::jsonb)', [streamName, expected, payload]);
        this.afterAppend();
        return {
          streamName,
          nextExpectedVersion: rows[0].current_version,
          duplicate: rows[0].duplicate,
          events: rows.map((row) => ({
            eventId: row.event_id,
            streamVersion: row.stream_version,
            position: { transactionId: row.transaction_id, globalPosition: row.global_position },
          })),
        };
      } catch (error) {
        const dbError = error as DatabaseError;
        if (dbError.code === 'CDT01') throw new WrongExpectedVersionError(streamName, expectedVersion, Number(dbError.detail));
        if (dbError.code === 'CDT02') throw new EventIdConflictError(streamName, (dbError.detail ?? '').split(','));
        if (dbError.code === 'CDT03') throw new Error('append must be the first write of its transaction (per-stream order relies on it)', { cause: error });
        if (dbError.code === '23505' && dbError.constraint === 'events_event_id_key' && attempt < 3) continue;
        throw error;
      }
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.client.query<EventRow>(
      `select ${EVENT_COLUMNS} from event_store.events e
        where e.stream_name = $1 and e.stream_version >= $2 and ($3::timestamptz is null or e.recorded_at <= $3::timestamptz)
        order by e.stream_version limit $4`,
      [streamName, options.fromVersion ?? 1, options.asOf ?? null, options.limit ?? null],
    );
    return rows.map((row) => toRecordedEvent(row, options.raw ? undefined : this.upcast));
  }

  async readEventsById(eventIds: string[]): Promise<RecordedEvent[]> {
    const ids = [...new Set(eventIds.filter((id) => UUID.test(id)).map((id) => id.toLowerCase()))];
    if (ids.length === 0) return [];
    const { rows } = await this.client.query<EventRow>(
      `select ${EVENT_COLUMNS} from event_store.events e
        where e.event_id = any($1::uuid[])
        order by e.transaction_id, e.global_position`,
      [ids],
    );
    return rows.map((row) => toRecordedEvent(row, this.upcast));
  }

  readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    return this.readPage<EventRow, RecordedEvent>(READ_ALL_SQL, options, toRecordedEvent);
  }

  readAllNarrow(options: ReadAllOptions = {}): Promise<ReadAllResult<ProjectedEvent>> {
    return this.readPage<ProjectedRow, ProjectedEvent>(READ_ALL_NARROW_SQL, options, toProjectedEvent);
  }

  /** readAll and readAllNarrow: the same paging, filter and checkpoint over their own select list. */
  private async readPage<Row extends ProjectedRow, Event extends ProjectedEvent>(
    sql: string,
    options: ReadAllOptions,
    toEvent: (row: Row, upcast: UpcastFn | undefined) => Event,
  ): Promise<ReadAllResult<Event>> {
    const after = options.after ?? START;
    const limit = options.limit ?? 1000;
    const [types, prefixes] = filterParams(options.filter);
    const scanLimit = types || prefixes ? limit * FILTER_SCAN_FACTOR : limit;
    const upcast = options.raw ? undefined : this.upcast;
    const { rows } = await this.client.query<Row & { rn: number; scanned: number; matched: boolean }>(sql, [
      after.transactionId, after.globalPosition, scanLimit, types, prefixes,
    ]);
    const matched = rows.filter((row) => row.matched);
    if (matched.length > limit) {
      const page = matched.slice(0, limit);
      const last = page[page.length - 1];
      return { events: page.map((row) => toEvent(row, upcast)), checkpoint: positionOf(last), atHead: false };
    }
    const edge = rows[rows.length - 1];
    return {
      events: matched.map((row) => toEvent(row, upcast)),
      // Advances past filtered-out rows too, so a selective subscriber does not rescan them forever.
      checkpoint: edge ? positionOf(edge) : after,
      atHead: !edge || edge.scanned < scanLimit,
    };
  }

  async readStreamHeads(): Promise<StreamHead[]> {
    const { rows } = await this.client.query<{ stream_name: string; version: number; last_hash: string }>(
      `select s.stream_name, s.version, encode(s.last_hash, 'hex') as last_hash from event_store.streams s order by s.stream_name`,
    );
    return rows.map((row) => ({ streamName: row.stream_name, version: row.version, lastHash: row.last_hash }));
  }

  async head(): Promise<Checkpoint> {
    const { rows } = await this.client.query<{ transaction_id: string; global_position: string }>(HEAD_SQL);
    return rows[0] ? positionOf(rows[0]) : START;
  }

  subscribe(options: SubscribeOptions): Subscription {
    const subscription = startSubscription(this, this.changes, options, this.pollIntervalMs, () => this.subscriptions.delete(subscription));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
  }

  /** Engines whose appends do not raise a database notification signal change themselves. */
  protected afterAppend(): void {
    // PostgreSQL wakes subscribers through LISTEN/NOTIFY; see PostgresEventStore.
  }
}

function positionOf(row: { transaction_id: string; global_position: string }): Checkpoint {
  return { transactionId: row.transaction_id, globalPosition: row.global_position };
}

/**
 * The jsonb argument of cdt_append, `[{digest, eventId, type, schemaVersion, data, metadata}]` (exported
 * for the gap-safety proof, which drives raw transactions). Each element is the event's canonical text
 * (which the digest is taken over anyway) with the digest put in front, so the event is serialised once.
 */
export function appendPayloadJson(events: NewEvent[]): string {
  if (events.length === 0) throw new RangeError('append needs at least one event');
  const seen = new Set<string>();
  const elements = events.map((event) => {
    if (!UUID.test(event.eventId)) throw new TypeError(`eventId must be a UUID: ${event.eventId}`);
    const id = event.eventId.toLowerCase();
    if (seen.has(id)) throw new EventIdConflictError('(same append)', [event.eventId]);
    seen.add(id);
    const canonical = canonicalContent({ ...event, eventId: id });
    // canonical is `{"data":…}`: never empty, eventId and type are always members.
    return `{"digest":"${sha256(canonical).toString('hex')}",${canonical.slice(1)}`;
  });
  return `[${elements.join(',')}]`;
}
