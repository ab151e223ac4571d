import { spawn } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';

const ROOT = resolvePath(__dirname, '../../../../..');

/** `npx cdt …` as an operator runs it: the CLI in its own process from the repository root, `env` its environment. */
export function runCdt(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['scripts/cdt.js', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.once('exit', (code) => done({ code, stdout, stderr })));
}
