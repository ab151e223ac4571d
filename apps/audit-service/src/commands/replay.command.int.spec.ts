import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEventStore } from '@cdt/event-store';

const ROOT = join(__dirname, '..', '..', '..', '..');

function cdt(args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'scripts', 'cdt.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDT_DATABASE_URL: '' }, timeout: 120_000 });
}

/** `cdt audit replay` then `cdt audit check-replay` on an embedded store: the round trip an auditor makes. */
describe('npx cdt audit replay | check-replay (embedded store)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cdt-replay-cli-'));
    const store = await openEventStore({ kind: 'embedded', dataDir: join(dataDir, 'event-store') });
    for (let i = 0; i < 30; i++) {
      await store.append(i % 2 ? `activity-t${i % 3}-2026-03` : `team-t${i % 3}`, [{ eventId: randomUUID(), type: i % 2 ? 'HouseholdVisitRecorded' : 'MemberJoined', schemaVersion: 1, data: { n: i }, metadata: { occurredAt: '2026-03-02T09:00:00+07:00', actor: 't', correlationId: randomUUID() } }], 'any');
    }
    await store.close();
    expect(cdt(['audit', 'seal', '--data-dir', dataDir, '--every-events', '8', '--force']).status).toBe(0);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('exports with a manifest, re-verifies offline, and fails with exit code 1 once a line is edited', () => {
    const out = join(dataDir, 'export');
    const replay = cdt(['audit', 'replay', '--data-dir', dataDir, '--to', out, '--chunk-events', '10']);
    expect(replay.stderr).not.toContain('cdt:');
    expect(replay.status).toBe(0);
    const summary = JSON.parse(replay.stdout.trim());
    expect(summary).toMatchObject({ resumed: false, events: 30 + summary.seals, sealLeaves: 0 });
    expect(summary.seals).toBeGreaterThanOrEqual(4);
    expect(readdirSync(out).sort()).toEqual(['events-000001.ndjson', 'events-000002.ndjson', 'events-000003.ndjson', 'events-000004.ndjson', 'manifest.json', 'seal-leaves.ndjson', 'seals.ndjson']);

    const check = cdt(['audit', 'check-replay', out]);
    expect(check.status).toBe(0);
    expect(JSON.parse(check.stdout.split('\n')[0])).toMatchObject({ ok: true, events: summary.events, seals: summary.seals, findingCount: 0 });

    const filtered = join(dataDir, 'visits');
    expect(cdt(['audit', 'replay', '--data-dir', dataDir, '--to', filtered, '--stream-prefix', 'activity-', '--type', 'HouseholdVisitRecorded']).status).toBe(0);
    expect(cdt(['audit', 'check-replay', filtered]).status).toBe(0);

    const file = join(out, 'events-000002.ndjson');
    const lines = readFileSync(file, 'utf8').split('\n');
    const event = JSON.parse(lines[3]);
    lines[3] = JSON.stringify({ ...event, metadata: { ...event.metadata, actor: 'someone-else' } });
    writeFileSync(file, lines.join('\n'));
    const tampered = cdt(['audit', 'check-replay', out]);
    expect(tampered.status).toBe(1);
    expect(tampered.stdout).toContain(`"eventId":"${event.eventId}"`);
  });

  it('refuses a directory that is not empty and names the problem', () => {
    const out = mkdtempSync(join(tmpdir(), 'cdt-replay-busy-'));
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const replay = cdt(['audit', 'replay', '--data-dir', dataDir, '--to', out]);
    expect(replay.status).toBe(1);
    expect(replay.stderr).toContain('is not empty');
    rmSync(out, { recursive: true, force: true });
  });
});
