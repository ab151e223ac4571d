import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPglite, openEventStore, type NewEvent } from '@cdt/event-store';

const ROOT = join(__dirname, '..', '..', '..', '..');

function cdt(args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'scripts', 'cdt.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDT_DATABASE_URL: '', CDT_DATABASE_ADMIN_URL: '' }, timeout: 180_000 });
}

const event = (type: string, data: Record<string, unknown>, occurredAt: string): NewEvent => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: { occurredAt, actor: 'spec', correlationId: randomUUID() },
});

/** `cdt projections rebuild` builds the live model of an embedded store; `verify` agrees, until a row is edited. */
describe('npx cdt projections verify (embedded store)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cdt-model-check-'));
    const store = await openEventStore({ kind: 'embedded', dataDir: join(dataDir, 'event-store') });
    const at = '2025-03-03T09:00:00+07:00';
    await store.append('team-pv-1', [
      event('TeamEstablished', { teamId: 'pv-1', communeCode: '28249', village: 'Ấp 1', on: '2025-01-06' }, at),
      event('MemberJoined', { teamId: 'pv-1', memberId: 'm1', role: 'leader', youthUnion: true, on: '2025-01-06' }, at),
    ], 'no-stream');
    const visits = [1, 2, 3].map((n) => event('HouseholdVisitRecorded', { activityId: randomUUID(), teamId: 'pv-1', memberIds: ['m1'], occurredAt: at, communeCode: '28249', village: 'Ấp 1', householdRef: String(n).padStart(64, 'c'), skills: ['public-services'] }, at));
    await store.append('activity-pv-1-2025-03', visits, 'no-stream');
    await store.close();
    expect(cdt(['projections', 'rebuild', '--data-dir', dataDir, '--grace-ms', '1']).status).toBe(0);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('exits 0 on a consistent model, and 1 naming the figure after a live row is edited', async () => {
    const clean = cdt(['projections', 'verify', '--data-dir', dataDir]);
    expect(clean.stderr).not.toContain('cdt:');
    expect(clean.status).toBe(0);
    expect(JSON.parse(clean.stdout.split('\n')[0])).toMatchObject({ ok: true, live: 'kpi_v2', differenceCount: 0 });

    const db = await loadPglite().create(join(dataDir, 'read-models'));
    await db.query(`update kpi_v2.figures set value = 9 where view = 'current' and level = 'commune' and unit_key = '28249' and period_kind = 'year' and period_key = '2025' and indicator = 'households-reached'`);
    await db.close();
    const edited = cdt(['projections', 'verify', '--data-dir', dataDir]);
    expect(edited.status).toBe(1);
    expect(edited.stdout).toContain('DIFFERS current commune 28249 year 2025 households-reached: live 9 rebuilt 3');
    expect(JSON.parse(edited.stdout.split('\n')[0])).toMatchObject({ ok: false, differenceCount: 1 });
  });

  it('after `rebuild --model 2` the status names the model, and verify checks the model-2 version', async () => {
    const migrated = cdt(['projections', 'rebuild', '--data-dir', dataDir, '--model', '2', '--grace-ms', '1']);
    expect(migrated.stderr).not.toContain('cdt:');
    expect(migrated.status).toBe(0);
    expect(migrated.stdout).toContain('live KPI model is now kpi_v3 (was kpi_v2), model 2');
    const status = cdt(['projections', 'status', '--data-dir', dataDir]);
    expect(status.stdout).toMatch(/\* kpi_v3 +live +model 2 +at position [1-9]/);

    const clean = cdt(['projections', 'verify', '--data-dir', dataDir]);
    expect(clean.stderr).not.toContain('cdt:');
    expect(clean.status).toBe(0);
    expect(JSON.parse(clean.stdout.split('\n')[0])).toMatchObject({ ok: true, live: 'kpi_v3', model: 2, differenceCount: 0 });

    const db = await loadPglite().create(join(dataDir, 'read-models'));
    await db.query(`delete from kpi_v3.facts where activity_id = (select min(activity_id) from kpi_v3.facts)`);
    await db.close();
    const edited = cdt(['projections', 'verify', '--data-dir', dataDir]);
    expect(edited.status).toBe(1);
    expect(edited.stdout).toMatch(/DIFFERS fact pv-1 2025-03-03: only in rebuilt: /);

    const wrong = cdt(['projections', 'rebuild', '--data-dir', dataDir, '--model', '3']);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toContain('--model must be one of 1, 2 (got "3")');
  });
});
