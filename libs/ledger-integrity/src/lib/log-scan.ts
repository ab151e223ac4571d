import { isoToMicros, type Checkpoint, type EventRow, type EventStore, type SqlClient } from '@cdt/event-store';

/**
 * One stored event as verification needs it: its place, its chain inputs, and its content as the text
 * PostgreSQL/PGlite print for jsonb. Verify never needs the parsed objects on the main thread: the
 * hashing workers parse the text (JSON.parse, the same parse `pg` would do) and canonicalise it.
 */
export interface ScannedEvent {
  position: Checkpoint;
  eventId: string;
  type: string;
  schemaVersion: number;
  streamName: string;
  streamVersion: number;
  /** JSON text of data and metadata. */
  data: string;
  metadata: string;
  /** recorded_at in microseconds since the epoch, decimal. */
  recordedMicros: string;
  /** hex chain hash as stored. */
  hash: string;
}

export interface ScanPage {
  events: ScannedEvent[];
  checkpoint: Checkpoint;
  atHead: boolean;
}

/** An event row as the store selects it, with jsonb left as text. */
type ScanRow = Omit<EventRow, 'data' | 'metadata'> & { data: string; metadata: string };

// The gap-safe order and visibility of readAll (ADR 0001 §3), without its filter machinery (a window
// over the page), and with jsonb as text: the cheapest way the database can hand over the log.
const SCAN_SQL = `
  select e.transaction_id::text as transaction_id, e.global_position::text as global_position,
         e.stream_name, e.stream_version, e.event_id::text as event_id, e.event_type, e.schema_version,
         e.data::text as data, e.metadata::text as metadata,
         ((extract(epoch from e.recorded_at) * 1000000)::bigint)::text as recorded_micros,
         encode(e.hash, 'hex') as hash
    from event_store.events e
   where (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
     and e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
   order by e.transaction_id, e.global_position
   limit $3`;

/** A store that exposes its database (PostgreSQL and PGlite adapters); others are read through readAll. */
const databaseOf = (store: EventStore): SqlClient | undefined => {
  const database = (store as Partial<{ database: SqlClient }>).database;
  return database && typeof database.query === 'function' ? database : undefined;
};

/** Reads one page of the log after `after`, in the gap-safe order. */
export async function scanPage(store: EventStore, after: Checkpoint, limit: number): Promise<ScanPage> {
  const database = databaseOf(store);
  if (!database) {
    const page = await store.readAll({ after, limit, raw: true });
    return {
      atHead: page.atHead,
      checkpoint: page.checkpoint,
      events: page.events.map((event) => ({
        position: event.position, eventId: event.eventId, type: event.type, schemaVersion: event.schemaVersion,
        streamName: event.streamName, streamVersion: event.streamVersion,
        data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata),
        recordedMicros: isoToMicros(event.recordedAt).toString(), hash: event.hash,
      })),
    };
  }
  const { rows } = await database.query<ScanRow>(SCAN_SQL, [after.transactionId, after.globalPosition, limit]);
  const events = rows.map((row): ScannedEvent => ({
    position: { transactionId: row.transaction_id, globalPosition: row.global_position },
    eventId: row.event_id, type: row.event_type, schemaVersion: row.schema_version,
    streamName: row.stream_name, streamVersion: row.stream_version,
    data: row.data, metadata: row.metadata, recordedMicros: row.recorded_micros, hash: row.hash,
  }));
  return { events, checkpoint: events.at(-1)?.position ?? after, atHead: events.length < limit };
}
