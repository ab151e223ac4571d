import { Pool } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { isoToMicros, type Checkpoint, type EventRow, type EventStore, type SqlClient } from '@cdt/event-store';

/**
 * A page of the log as verification reads it: the rows as PostgreSQL's binary COPY format writes them
 * (one buffer, no object, string, Date or JSON per column), and per event the offset of each column.
 * From PostgreSQL the buffer is what `COPY (…) TO STDOUT (FORMAT binary)` sent; from PGlite or a store
 * without SQL, rows read the ordinary way are written into the same format, so everything after the
 * read (hashing, on this thread or a worker) has one code path.
 */
export interface ScanPage {
  events: ScannedEvent[];
  rows: Buffer;
  /** COLUMNS entries per event: where each column's bytes start in `rows` (its length is the int32 before). */
  offsets: Int32Array;
  checkpoint: Checkpoint;
  atHead: boolean;
}

/** The columns of a row, in SELECT order. */
export const Column = {
  transactionId: 0, // xid8: uint64
  globalPosition: 1, // int8
  streamName: 2, // text
  streamVersion: 3, // int4
  eventId: 4, // uuid: 16 bytes
  type: 5, // text
  schemaVersion: 6, // int4
  data: 7, // jsonb: version byte 1, then the text PostgreSQL prints for it
  metadata: 8, // jsonb
  recordedAt: 9, // timestamptz: int8 microseconds since 2000-01-01
  hash: 10, // bytea
} as const;
export const COLUMNS = 11;

/** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
export const PG_EPOCH_MICROS = 946_684_800_000_000;

/**
 * One stored event as the walk of verification needs it: its place and its chain hash; the rest is read
 * from the page's bytes only when a finding needs it.
 */
export class ScannedEvent {
  constructor(
    private readonly page: { rows: Buffer; offsets: Int32Array },
    private readonly index: number,
    readonly position: Checkpoint,
    readonly streamName: string,
    readonly streamVersion: number,
    /** The stored chain hash as a binary (latin1) string: cheap to compare and to hash from. */
    readonly chainHash: string,
  ) {}

  private column(column: number): [number, number] {
    const start = this.page.offsets[this.index * COLUMNS + column];
    return [start, start + this.page.rows.readInt32BE(start - 4)];
  }

  get eventId(): string {
    return uuidText(this.page.rows, this.column(Column.eventId)[0]);
  }

  get type(): string {
    return this.page.rows.toString('utf8', ...this.column(Column.type));
  }

  get schemaVersion(): number {
    return this.page.rows.readInt32BE(this.column(Column.schemaVersion)[0]);
  }

  /** JSON text of data and metadata, as stored. */
  get data(): string {
    const [start, end] = this.column(Column.data);
    return this.page.rows.toString('utf8', start + 1, end);
  }

  get metadata(): string {
    const [start, end] = this.column(Column.metadata);
    return this.page.rows.toString('utf8', start + 1, end);
  }

  /** recorded_at in microseconds since the Unix epoch. */
  get recordedMicros(): bigint {
    return this.page.rows.readBigInt64BE(this.column(Column.recordedAt)[0]) + BigInt(PG_EPOCH_MICROS);
  }

  get hashHex(): string {
    return Buffer.from(this.chainHash, 'latin1').toString('hex');
  }
}

/** A store that exposes its database (PostgreSQL and PGlite adapters); others are read through readAll. */
const databaseOf = (store: EventStore): SqlClient | undefined => {
  const database = (store as Partial<{ database: SqlClient }>).database;
  return database && typeof database.query === 'function' ? database : undefined;
};

// The gap-safe order and visibility of readAll (ADR 0001 §3), without its filter machinery: the
// cheapest way the database can hand over the log. COPY takes no bind parameters; the checkpoint is
// checked to be an integer before it is written into the statement.
const selectPage = (after: Checkpoint, limit: number) => `
  select e.transaction_id, e.global_position, e.stream_name, e.stream_version, e.event_id, e.event_type,
         e.schema_version, e.data, e.metadata, e.recorded_at, e.hash
    from event_store.events e
   where (e.transaction_id, e.global_position) > ('${integer(after.transactionId)}'::xid8, ${integer(after.globalPosition)}::bigint)
     and e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
   order by e.transaction_id, e.global_position
   limit ${Math.trunc(limit)}`;

// The same page as text, for PGlite (no COPY TO STDOUT through its query API).
const SCAN_TEXT_SQL = `
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

/** An event row as the event store selects it, with `data` and `metadata` left as the stored text. */
type TextRow = Omit<EventRow, 'data' | 'metadata'> & { data: string; metadata: string };

/** Reads one page of the log after `after`, in the gap-safe order. */
export async function scanPage(store: EventStore, after: Checkpoint, limit: number): Promise<ScanPage> {
  const database = databaseOf(store);
  let rows: Buffer;
  if (database instanceof Pool) {
    rows = await copyOut(database, `copy (${selectPage(after, limit)}) to stdout (format binary)`);
  } else if (database) {
    const result = await database.query<TextRow>(SCAN_TEXT_SQL, [after.transactionId, after.globalPosition, limit]);
    rows = encodeRows(result.rows);
  } else {
    const page = await store.readAll({ after, limit, raw: true });
    rows = encodeRows(page.events.map((event) => ({
      transaction_id: event.position.transactionId, global_position: event.position.globalPosition,
      stream_name: event.streamName, stream_version: event.streamVersion, event_id: event.eventId,
      event_type: event.type, schema_version: event.schemaVersion,
      data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata),
      recorded_micros: isoToMicros(event.recordedAt).toString(), hash: event.hash,
    })));
  }
  return indexRows(rows, after, limit);
}

async function copyOut(pool: Pool, sql: string): Promise<Buffer> {
  const client = await pool.connect();
  let failed: Error | undefined;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of client.query(copyTo(sql))) chunks.push(chunk as Buffer);
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  } catch (error) {
    failed = error as Error;
    throw error;
  } finally {
    // A COPY that failed half-way may leave the connection mid-protocol: drop it rather than reuse it.
    client.release(failed);
  }
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** Finds the columns of every row of a binary COPY, and reads what the walk needs of each event. */
function indexRows(rows: Buffer, after: Checkpoint, limit: number): ScanPage {
  if (rows.length < 19 || !rows.subarray(0, 11).equals(SIGNATURE)) throw new Error('not a PostgreSQL binary COPY');
  let at = 15 + 4 + rows.readInt32BE(15); // signature, flags, header extension
  const offsets = new Int32Array(limit * COLUMNS);
  const events: ScannedEvent[] = [];
  const page = { rows, offsets };
  for (;;) {
    const fields = rows.readInt16BE(at);
    at += 2;
    if (fields === -1) break;
    if (fields !== COLUMNS) throw new Error(`a scanned row has ${fields} columns, not ${COLUMNS}`);
    if (events.length === limit) throw new Error(`a page of ${limit} events came back longer`);
    const base = events.length * COLUMNS;
    for (let c = 0; c < COLUMNS; c++) {
      const length = rows.readInt32BE(at);
      if (length < 0) throw new Error(`column ${c} of a stored event is null`);
      offsets[base + c] = at + 4;
      at += 4 + length;
    }
    const position = {
      transactionId: int64Text(rows, offsets[base + Column.transactionId], false),
      globalPosition: int64Text(rows, offsets[base + Column.globalPosition], true),
    };
    const nameAt = offsets[base + Column.streamName];
    const hashAt = offsets[base + Column.hash];
    events.push(new ScannedEvent(
      page, events.length, position,
      rows.toString('utf8', nameAt, nameAt + rows.readInt32BE(nameAt - 4)),
      rows.readInt32BE(offsets[base + Column.streamVersion]),
      rows.toString('latin1', hashAt, hashAt + rows.readInt32BE(hashAt - 4)),
    ));
  }
  return { events, rows, offsets, checkpoint: events.at(-1)?.position ?? after, atHead: events.length < limit };
}

/** Rows read as text, written as a binary COPY would have sent them. */
function encodeRows(textRows: TextRow[]): Buffer {
  const parts: Buffer[] = [SIGNATURE, Buffer.alloc(8)];
  const int = (bytes: number, write: (b: Buffer) => void) => {
    const b = Buffer.alloc(bytes);
    write(b);
    return b;
  };
  for (const row of textRows) {
    const columns = [
      int(8, (b) => b.writeBigUInt64BE(BigInt(row.transaction_id))),
      int(8, (b) => b.writeBigInt64BE(BigInt(row.global_position))),
      Buffer.from(row.stream_name, 'utf8'),
      int(4, (b) => b.writeInt32BE(row.stream_version)),
      Buffer.from(row.event_id.replaceAll('-', ''), 'hex'),
      Buffer.from(row.event_type, 'utf8'),
      int(4, (b) => b.writeInt32BE(row.schema_version)),
      Buffer.concat([Buffer.from([1]), Buffer.from(row.data, 'utf8')]),
      Buffer.concat([Buffer.from([1]), Buffer.from(row.metadata, 'utf8')]),
      int(8, (b) => b.writeBigInt64BE(BigInt(row.recorded_micros) - BigInt(PG_EPOCH_MICROS))),
      Buffer.from(row.hash, 'hex'),
    ];
    parts.push(int(2, (b) => b.writeInt16BE(COLUMNS)));
    for (const column of columns) parts.push(int(4, (b) => b.writeInt32BE(column.length)), column);
  }
  parts.push(int(2, (b) => b.writeInt16BE(-1)));
  return Buffer.concat(parts);
}

/** Decimal text of a big-endian 64-bit integer, through a double while that is exact. */
function int64Text(rows: Buffer, at: number, signed: boolean): string {
  const high = signed ? rows.readInt32BE(at) : rows.readUInt32BE(at);
  if (high < 0x200000 && high >= -0x200000) return String(high * 0x1_0000_0000 + rows.readUInt32BE(at + 4));
  return (signed ? rows.readBigInt64BE(at) : rows.readBigUInt64BE(at)).toString();
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** 8-4-4-4-12 lower-case hex, as PostgreSQL prints a uuid. */
export function uuidText(rows: Uint8Array, at: number): string {
  let text = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text += '-';
    text += HEX[rows[at + i]];
  }
  return text;
}

function integer(value: string): string {
  if (!/^-?\d+$/.test(value)) throw new Error(`not a log position: ${value}`);
  return value;
}
