import { Client } from 'pg';

export interface LedgerCheck {
  ok: boolean;
  acknowledged: number;
  stored: number;
  /** Acknowledged as created but not in the log: lost. */
  missing: number;
  /** In the log but never acknowledged as created, nor abandoned in flight by the client: doubled or stray. */
  unacknowledged: number;
  /** Stored, sent by the client but left unanswered when its run ended: durable, just never acknowledged. */
  storedInFlight: number;
}

/**
 * Nothing lost, nothing doubled: the activity events in the database are exactly the activities the
 * service acknowledged as created (the event id is the activity id), counted and compared id by id;
 * the only others allowed are requests the client itself abandoned in flight (the end of a timed run).
 */
export async function checkLedger(adminUrl: string, acknowledged: ReadonlySet<string>, inFlight: ReadonlySet<string>): Promise<LedgerCheck> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ event_id: string }>(`select event_id::text as event_id from event_store.events where stream_name like 'activity-%'`);
    const stored = new Set(rows.map((row) => row.event_id));
    const acked = new Set([...acknowledged].map((id) => id.toLowerCase()));
    const missing = [...acked].filter((id) => !stored.has(id)).length;
    const flying = new Set([...inFlight].map((id) => id.toLowerCase()));
    const notAcked = rows.filter((row) => !acked.has(row.event_id));
    const storedInFlight = notAcked.filter((row) => flying.has(row.event_id)).length;
    const unacknowledged = notAcked.length - storedInFlight;
    return { ok: missing === 0 && unacknowledged === 0, acknowledged: acked.size, stored: rows.length, missing, unacknowledged, storedInFlight };
  } finally {
    await client.end();
  }
}
