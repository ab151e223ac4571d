import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pseudonymousRef } from '@cdt/pseudonym';

const ROOT = join(__dirname, '..', '..', '..', '..');
const KEY = 'national-test-key-0123456789abcdef-not-for-production';

function cdt(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  return spawnSync(process.execPath, [join(ROOT, 'scripts', 'cdt.js'), ...args], {
    cwd: ROOT,
    input: options.input,
    encoding: 'utf8',
    env: { ...process.env, CDT_REF_KEY: '', ...options.env },
    timeout: 60_000,
  });
}

describe('npx cdt ref', () => {
  it('prints one ref per identifier given as arguments', () => {
    const run = cdt(['ref', '079203001234', '0912 345 678'], { env: { CDT_REF_KEY: KEY } });
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([pseudonymousRef('079203001234', KEY), pseudonymousRef('0912345678', KEY)]);
  });

  it('reads identifiers from stdin so raw values stay out of the shell history', () => {
    const run = cdt(['ref'], { input: '079203001234\n\n+84912345678\n', env: { CDT_REF_KEY: KEY } });
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([pseudonymousRef('079203001234', KEY), pseudonymousRef('0912345678', KEY)]);
  });

  it('fails with a clear message when no key is configured', () => {
    const run = cdt(['ref', '079203001234']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no ref key: set CDT_REF_KEY or pass --key-file <path>');
    expect(run.stdout).toBe('');
  });
});
