import { microsToIso } from './hash-chain';
import type { Checkpoint, EventFilter, EventMetadata, ProjectedEvent, RecordedEvent } from './event-store.port';
import type { UpcastFn } from './upcasting';

/** Columns every read selects; 64-bit values travel as text so pg and PGlite agree and nothing rounds. */
export const EVENT_COLUMNS = `
  e.transaction_id::text as transaction_id, e.global_position::text as global_position,
  e.stream_name, e.stream_version, e.event_id::text as event_id, e.event_type, e.schema_version,
  e.data, e.metadata, ((extract(epoch from e.recorded_at) * 1000000)::bigint)::text as recorded_micros,
  encode(e.hash, 'hex') as hash`;

/** The columns of the narrow read (ProjectedEvent): what a projection needs, nothing else leaves the database. */
export const PROJECTED_COLUMNS = `
  e.transaction_id::text as transaction_id, e.global_position::text as global_position,
  e.event_id::text as event_id, e.event_type, e.schema_version, e.data`;

export interface ProjectedRow {
  transaction_id: string;
  global_position: string;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: Record<string, unknown>;
}

export interface EventRow extends ProjectedRow {
  stream_name: string;
  stream_version: number;
  metadata: EventMetadata;
  recorded_micros: string;
  hash: string;
}

export function toProjectedEvent(row: ProjectedRow, upcast: UpcastFn | undefined): ProjectedEvent {
  const current = upcast
    ? upcast(row.event_type, row.schema_version, row.data)
    : { schemaVersion: row.schema_version, data: row.data };
  return {
    eventId: row.event_id,
    type: row.event_type,
    schemaVersion: current.schemaVersion,
    data: current.data,
    position: { transactionId: row.transaction_id, globalPosition: row.global_position },
  };
}

export function toRecordedEvent(row: EventRow, upcast: UpcastFn | undefined): RecordedEvent {
  const { eventId, type, schemaVersion, data, position } = toProjectedEvent(row, upcast);
  // The fields in the order they always had (JSON answers list them so).
  return {
    eventId,
    type,
    schemaVersion,
    data,
    metadata: row.metadata,
    streamName: row.stream_name,
    streamVersion: row.stream_version,
    position,
    recordedAt: microsToIso(BigInt(row.recorded_micros)),
    hash: row.hash,
  };
}

/** Total order of the global log: (transactionId, globalPosition). */
export function compareCheckpoints(a: Checkpoint, b: Checkpoint): number {
  const tx = BigInt(a.transactionId) - BigInt(b.transactionId);
  if (tx !== 0n) return tx < 0n ? -1 : 1;
  const position = BigInt(a.globalPosition) - BigInt(b.globalPosition);
  return position === 0n ? 0 : position < 0n ? -1 : 1;
}

/** SQL parameters for the filter: null means "no restriction". Prefixes become escaped LIKE patterns. */
export function filterParams(filter: EventFilter | undefined): [string[] | null, string[] | null] {
  const types = filter?.types?.length ? filter.types : null;
  const prefixes = filter?.streamPrefixes?.length
    ? filter.streamPrefixes.map((prefix) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    : null;
  return [types, prefixes];
}
