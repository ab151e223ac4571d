import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPglite, openEventStore } from '@cdt/event-store';

const ROOT = join(__dirname, '..', '..', '..', '..');

function cdt(args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'scripts', 'cdt.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDT_DATABASE_URL: '' }, timeout: 120_000 });
}

/** The whole auditor's round on an embedded store: seal, prove, check the proof offline, verify, resume. */
describe('npx cdt audit (embedded store)', () => {
  let dataDir: string;
  const ids: string[] = [];
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cdt-audit-'));
    const store = await openEventStore({ kind: 'embedded', dataDir: join(dataDir, 'event-store') });
    for (let i = 0; i < 25; i++) {
      const eventId = randomUUID();
      ids.push(eventId);
      await store.append(`team-${i % 3}`, [{ eventId, type: 'HouseholdVisitRecorded', schemaVersion: 1, data: { n: i, note: `lượt thăm ${i}` }, metadata: { occurredAt: '2025-07-01T09:00:00+07:00', actor: 't', correlationId: randomUUID() } }], 'any');
    }
    await store.close();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('seals, proves an event, checks the proof offline and verifies the ledger', () => {
    const seal = cdt(['audit', 'seal', '--data-dir', dataDir, '--every-events', '10', '--force']);
    expect(seal.status).toBe(0);
    const seals = seal.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(seals.map((s) => s.count)).toEqual([10, 10, 7]); // the third range also holds seals 1 and 2;

    const proofFile = join(dataDir, 'proof.json');
    expect(cdt(['audit', 'prove', ids[13], '--data-dir', dataDir, '--out', proofFile]).status).toBe(0);
    const proof = JSON.parse(readFileSync(proofFile, 'utf8'));
    expect(proof).toMatchObject({ root: seals[1].root, leafIndex: 3, treeSize: 10, seal: { sealNumber: 2 } });

    const check = cdt(['audit', 'check-proof', proofFile, '--root', seals[1].root]);
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('proof valid');
    writeFileSync(proofFile, JSON.stringify({ ...proof, event: { ...proof.event, data: { ...proof.event.data, n: 999 } } }));
    const forged = cdt(['audit', 'check-proof', proofFile]);
    expect(forged.status).toBe(1);
    expect(forged.stdout).toContain('FAIL canonical');

    const checkpoint = join(dataDir, 'verify.json');
    const verify = cdt(['audit', 'verify', '--data-dir', dataDir, '--checkpoint', checkpoint, '--page-size', '4']);
    expect(verify.status).toBe(0);
    expect(JSON.parse(verify.stdout.split('\n')[0])).toMatchObject({ ok: true, eventsChecked: 28, sealsChecked: 3, findingCount: 0 });
    expect(JSON.parse(readFileSync(checkpoint, 'utf8'))).toMatchObject({ sealNumber: 3, eventsChecked: 27 });

    const resumed = cdt(['audit', 'verify', '--data-dir', dataDir, '--from', checkpoint, '--checkpoint', checkpoint]);
    expect(resumed.status).toBe(0);
    expect(JSON.parse(resumed.stdout.split('\n')[0])).toMatchObject({ ok: true, eventsChecked: 28, sealsChecked: 0 });

    // Hashing on worker threads reports the same; a bad thread count is refused, naming the value.
    const threaded = cdt(['audit', 'verify', '--data-dir', dataDir, '--checkpoint', join(dataDir, 'verify-w.json'), '--page-size', '4', '--workers', '2']);
    expect(threaded.status).toBe(0);
    expect(JSON.parse(threaded.stdout.split('\n')[0])).toMatchObject({ ok: true, eventsChecked: 28, sealsChecked: 3, findingCount: 0 });
    const refused = cdt(['audit', 'verify', '--data-dir', dataDir, '--workers', '-1']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('expected 0 or a positive integer, got -1');
  });

  it('exits 1 and names the event when a stored event was edited', async () => {
    // PGlite has one superuser: the embedded store is as editable as a file on disk, and verify must notice.
    const db = await loadPglite().create(join(dataDir, 'event-store'));
    await db.query(`update event_store.events set data = '{"n": 7, "note": "sửa"}' where event_id = $1`, [ids[7]]);
    await db.close();
    const verify = cdt(['audit', 'verify', '--data-dir', dataDir, '--checkpoint', join(dataDir, 'verify2.json')]);
    expect(verify.status).toBe(1);
    expect(verify.stdout).toContain(`FIRST BAD EVENT: content-digest-mismatch`);
    expect(verify.stdout).toContain(`event ${ids[7]}`);
  });
});
