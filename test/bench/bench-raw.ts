import type { NewEvent } from '@cdt/event-store';

export interface RawTarget {
  query(sql: string, params: unknown[]): Promise<void>;
}

type Driver = (batches: NewEvent[][], write: (batch: NewEvent[]) => Promise<void>) => Promise<{ perSecond: number }>;

const COLUMNS = 7;

/**
 * The floor an append is measured against: the same rows as one multi-row INSERT per batch into a
 * table with no index, no constraint, no function and no hash chain.
 */
export async function runRawBaseline(target: RawTarget, batches: NewEvent[][], drive: Driver): Promise<{ perSecond: number }> {
  await target.query(
    `create table bench_raw (global_position bigserial, stream_name text, stream_version int, event_id uuid,
       event_type text, schema_version int, data jsonb, metadata jsonb, recorded_at timestamptz default now())`,
    [],
  );
  let version = 0;
  return drive(batches, async (batch) => {
    const params: unknown[] = [];
    const rows = batch.map((event, i) => {
      params.push('bench-raw', ++version, event.eventId, event.type, event.schemaVersion, JSON.stringify(event.data), JSON.stringify(event.metadata));
      const at = i * COLUMNS;
      return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}, $${at + 6}::jsonb, $${at + 7}::jsonb)`;
    });
    await target.query(
      `insert into bench_raw (stream_name, stream_version, event_id, event_type, schema_version, data, metadata) values ${rows.join(', ')}`,
      params,
    );
  });
}
