import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareCheckpoints, openEventStore, type Checkpoint, type EventStoreOptions, type ManagedEventStore, type NewEvent } from '@cdt/event-store';
import { LedgerSealer, readSeals } from '@cdt/ledger-integrity';
import { describeWithEngine, freshPostgresDatabase } from '@cdt/testing';
import { checkReplayExport } from './check-export';
import { exportLog } from './export-log';
import { MANIFEST_FILE, SEAL_LEAVES_FILE, STATE_FILE, type ReplayEventLine, type ReplayManifest } from './replay-format';

const event = (type: string, n: number): NewEvent => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  data: { n, note: `lượt thăm ${n}` },
  metadata: { occurredAt: '2026-03-02T09:00:00+07:00', actor: 'replay-spec', correlationId: randomUUID(), deviceId: 'phone-1' },
});

async function untilVisible(store: ManagedEventStore, position: Checkpoint): Promise<void> {
  for (const deadline = Date.now() + 60_000; compareCheckpoints(await store.head(), position) < 0; await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > deadline) throw new Error('log head never reached the last append');
  }
}

/** 60 events in 2 team and 3 activity streams, sealed every 16 events, and 5 unsealed events after. */
async function writeLog(store: ManagedEventStore): Promise<void> {
  let last: Checkpoint | undefined;
  for (let i = 0; i < 60; i++) {
    const stream = i % 2 === 0 ? `team-t${i % 4}` : `activity-t${i % 3}-2026-03`;
    last = (await store.append(stream, [event(i % 2 === 0 ? 'MemberJoined' : 'HouseholdVisitRecorded', i)], 'any')).events[0].position;
  }
  if (last) await untilVisible(store, last);
  await new LedgerSealer(store, { everyEvents: 16, everyMs: 0 }).sealPending(true);
  for (let i = 60; i < 65; i++) last = (await store.append('team-t0', [event('MemberJoined', i)], 'any')).events[0].position;
  if (last) await untilVisible(store, last);
}

const lines = (dir: string, name: string): string[] => readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean);

function replaySuite(title: string, options: () => Promise<{ store: EventStoreOptions; cleanup(): Promise<void> }>): void {
  describe(`cdt audit replay: ${title}`, () => {
    let store: ManagedEventStore;
    let cleanup: () => Promise<void>;
    const dirs: string[] = [];
    const freshDir = () => {
      const dir = mkdtempSync(join(tmpdir(), 'cdt-replay-'));
      dirs.push(dir);
      return dir;
    };
    beforeAll(async () => {
      const setup = await options();
      cleanup = setup.cleanup;
      store = await openEventStore(setup.store);
      await writeLog(store);
    });
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    it('exports the whole log with its seals and a manifest, and the export re-verifies offline', async () => {
      const dir = freshDir();
      const { manifest } = await exportLog(store, dir, { chunkEvents: 25, pageSize: 7 });
      const { seals } = await readSeals(store);
      expect(manifest).toMatchObject({ events: 60 + seals.length + 5, seals: seals.length, sealLeaves: 0, streams: 6 });
      expect(manifest.files.filter((f) => f.kind === 'events').map((f) => f.lines)).toEqual([25, 25, manifest.events - 50]);
      expect(manifest.firstPosition).toEqual((await store.readAll({ limit: 1 })).events[0].position);
      expect(manifest.lastPosition).toEqual(await store.head());
      expect(readdirSync(dir)).not.toContain(STATE_FILE);
      const report = await checkReplayExport(dir);
      expect(report).toMatchObject({ ok: true, events: manifest.events, seals: seals.length, findings: [] });
    });

    it('a filtered export carries the leaves its seals need, and still re-verifies', async () => {
      const dir = freshDir();
      const { manifest } = await exportLog(store, dir, { filter: { streamPrefix: 'activity-', types: ['HouseholdVisitRecorded'] } });
      expect(manifest.events).toBe(30);
      const exported = lines(dir, 'events-000001.ndjson').map((l) => JSON.parse(l) as ReplayEventLine);
      expect(exported.every((e) => e.streamName.startsWith('activity-') && e.type === 'HouseholdVisitRecorded')).toBe(true);
      // Every sealed event not exported is in seal-leaves: 60 sealed log events + the seals sealed with them.
      const sealed = (await readSeals(store)).seals.reduce((sum, s) => sum + s.data.count, 0);
      expect(manifest.sealLeaves).toBe(sealed - 30);
      expect((await checkReplayExport(dir)).ok).toBe(true);

      const bounded = freshDir();
      const { seals } = await readSeals(store);
      const result = await exportLog(store, bounded, { filter: { from: seals[0].data.to, to: seals[1].data.to } });
      expect(result.manifest.events).toBe(seals[1].data.count);
      expect(result.manifest.seals).toBe(1);
      expect((await checkReplayExport(bounded)).ok).toBe(true);
    });

    it('resumes an interrupted export after its last whole file, and the result is the same', async () => {
      const whole = freshDir();
      await exportLog(store, whole, { chunkEvents: 10, pageSize: 5 });
      const dir = freshDir();
      const abort = new AbortController();
      await expect(exportLog(store, dir, { chunkEvents: 10, pageSize: 5, onProgress: (p) => p.events >= 23 && abort.abort(), signal: abort.signal })).rejects.toThrow();
      expect(readdirSync(dir)).toContain(STATE_FILE);
      expect(readdirSync(dir)).not.toContain(MANIFEST_FILE);
      const resumed = await exportLog(store, dir, { chunkEvents: 10, pageSize: 5 });
      expect(resumed.resumed).toBe(true);
      const read = (d: string) => JSON.parse(readFileSync(join(d, MANIFEST_FILE), 'utf8')) as ReplayManifest;
      expect(read(dir).files.map((f) => [f.name, f.sha256])).toEqual(read(whole).files.map((f) => [f.name, f.sha256]));
      await expect(exportLog(store, dir)).rejects.toThrow(/already holds a finished export/);
    });

    it('names the edited line, a dropped line and an edited seal leaf', async () => {
      const dir = freshDir();
      await exportLog(store, dir);
      const file = join(dir, 'events-000001.ndjson');
      const original = lines(dir, 'events-000001.ndjson');
      const withLines = (edit: (all: string[]) => string[]) => writeFileSync(file, `${edit(original).join('\n')}\n`);

      const edited = JSON.parse(original[4]) as ReplayEventLine;
      withLines((all) => all.map((l, i) => (i === 4 ? JSON.stringify({ ...edited, data: { ...edited.data, n: 999 } }) : l)));
      let report = await checkReplayExport(dir);
      expect(report.ok).toBe(false);
      expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'chain', eventId: edited.eventId, line: 5 }));

      // Line 2 (index 1) is an activity event with later versions in its stream.
      const dropped = JSON.parse(original[1]) as ReplayEventLine;
      withLines((all) => all.filter((_, i) => i !== 1));
      report = await checkReplayExport(dir);
      expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'chain', streamName: dropped.streamName, streamVersion: dropped.streamVersion + 1 }));
      expect(report.findings).toContainEqual(expect.objectContaining({ kind: 'seal', sealNumber: 1 }));

      const filtered = freshDir();
      await exportLog(store, filtered, { filter: { types: ['MemberJoined'] } });
      const leaves = lines(filtered, SEAL_LEAVES_FILE);
      const leaf = JSON.parse(leaves[0]) as { hash: string; sealNumber: number };
      writeFileSync(join(filtered, SEAL_LEAVES_FILE), `${[JSON.stringify({ ...leaf, hash: 'f'.repeat(64) }), ...leaves.slice(1)].join('\n')}\n`);
      report = await checkReplayExport(filtered);
      expect(report.findings.map((f) => [f.kind, f.sealNumber ?? f.file])).toEqual([['file', SEAL_LEAVES_FILE], ['seal', leaf.sealNumber]]);
    });
  });
}

replaySuite('embedded PGlite', async () => ({ store: { kind: 'memory' }, cleanup: async () => undefined }));

describeWithEngine('postgres', 'cdt audit replay on PostgreSQL', () => {
  replaySuite('PostgreSQL', async () => {
    const database = await freshPostgresDatabase();
    const admin = await openEventStore({ kind: 'postgres', url: database.appUrl, adminUrl: database.adminUrl, poolSize: 2 });
    await admin.close();
    return { store: { kind: 'postgres', url: database.appUrl, poolSize: 3 }, cleanup: () => database.drop() };
  });
});
