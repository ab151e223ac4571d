import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
// The adapter's own specs run the shared contract suite; only test code crosses this boundary.
import { eventStoreContract } from '../../contract';
import { openEventStore } from '../open-event-store';

eventStoreContract('PGlite in memory', async ({ upcasters }) => {
  const store = await openEventStore({ kind: 'memory', upcasters });
  return { store, cleanup: () => store.close() };
});

eventStoreContract('PGlite on disk', async ({ upcasters }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cdt-es-'));
  const store = await openEventStore({ kind: 'embedded', dataDir, upcasters });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

describe('PGlite on disk', () => {
  it('keeps the log, its chain and the stream versions across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cdt-es-'));
    try {
      const event = { eventId: randomUUID(), type: 'Kept', schemaVersion: 1, data: { n: 1 }, metadata: { occurredAt: '2025-07-01T09:00:00+07:00', actor: 't', correlationId: 'c' } };
      const first = await openEventStore({ kind: 'embedded', dataDir });
      const appended = await first.append('kept-1', [event], 'no-stream');
      await first.close();
      const reopened = await openEventStore({ kind: 'embedded', dataDir });
      await reopened.health();
      expect((await reopened.readStream('kept-1')).map((e) => e.eventId)).toEqual([event.eventId]);
      expect(await reopened.append('kept-1', [event], 'no-stream')).toMatchObject({ duplicate: true, events: appended.events });
      await expect(reopened.append('kept-1', [{ ...event, eventId: randomUUID() }], 1)).resolves.toMatchObject({ nextExpectedVersion: 2 });
      await reopened.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
