import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * Issue 3, "Done means", as a newcomer does it: `npm start` on a fresh embedded store, then
 * `npm run simulate` against it. Both run as the real commands, in their own processes; the simulator
 * must finish without a rejected activity, and a second run with the same seed must be answered as
 * duplicates only (nothing appended twice).
 */
const ROOT = join(__dirname, '..', '..');

function startSystem(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'start.js')], {
    cwd: ROOT,
    env: { ...process.env, CDT_DATA_DIR: dataDir, CDT_PORT: '0', CDT_LOG_LEVEL: 'warn', CDT_DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code} before listening`)));
    if (!child.stdout) return reject(new Error('no stdout'));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const listening = /listening on (http:\/\/\S+)/.exec(line);
      if (listening) resolve({ child, url: listening[1] });
    });
  });
}

function simulate(url: string, dataDir: string): { status: number | null; summary: Record<string, number> } {
  const run = spawnSync(
    process.execPath,
    ['-r', './scripts/register.js', 'test/simulate/simulate.ts', '--province', '82', '--days', '3', '--communes', '4', '--rate', '2000', '--url', url, '--data-dir', dataDir, '--seed', '3'],
    { cwd: ROOT, encoding: 'utf8', timeout: 300_000 },
  );
  const last = run.stdout.trim().split('\n').filter((line) => line.startsWith('{')).at(-1);
  if (!last) throw new Error(`simulate printed no summary: ${run.stdout}\n${run.stderr}`);
  return { status: run.status, summary: JSON.parse(last) as Record<string, number> };
}

describe('npm start, then npm run simulate', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cdt-simulate-'));
  let system: { child: ChildProcess; url: string } | undefined;

  afterAll(async () => {
    if (system?.child.exitCode === null) {
      const exited = new Promise((done) => system?.child.once('exit', done));
      system.child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fills the embedded system through HTTP without errors, and a rerun appends nothing', async () => {
    system = await startSystem(dataDir);
    const first = simulate(system.url, dataDir);
    expect(first.status).toBe(0);
    expect(first.summary).toMatchObject({ communes: 4, teams: 4, teams_registered_now: 4, rejected: 0, retry_mismatches: 0, duplicates: 0 });
    expect(first.summary['created']).toBe(first.summary['activities']);
    expect(first.summary['created']).toBeGreaterThan(20);

    const again = simulate(system.url, dataDir);
    expect(again.status).toBe(0);
    expect(again.summary).toMatchObject({ teams_registered_now: 0, rejected: 0, retry_mismatches: 0 });
    // Everything the first run sent comes back as a duplicate; only work dated in the seconds between
    // the two runs (when they fall in Vietnamese office hours) can be new.
    expect(again.summary['duplicates']).toBeGreaterThanOrEqual(first.summary['created']);
    expect(again.summary['created'] + again.summary['duplicates']).toBe(again.summary['activities']);
  }, 600_000);
});

