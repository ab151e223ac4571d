import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const STARTUP_TIMEOUT_MS = 120_000;

export interface ServiceOptions {
  /** The application role's connection (INSERT-free: it appends through cdt_append). */
  databaseUrl: string;
  /** The owner's connection: the service migrates at start and grants the application role. */
  adminUrl: string;
  /** Extra node flags, e.g. `--cpu-prof --cpu-prof-dir=…`. */
  nodeArgs?: string[];
}

/** apps/activity-service as its own process on PostgreSQL, with a secret only this run knows. */
export class ServiceProcess {
  readonly jwtSecret = randomBytes(32).toString('hex');
  private child: ChildProcess | undefined;
  private output = '';
  url = '';

  get pid(): number {
    if (!this.child?.pid) throw new Error('the service is not running');
    return this.child.pid;
  }

  async start(options: ServiceOptions): Promise<void> {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '-r', './scripts/register.js', 'apps/activity-service/src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        CDT_DATABASE_URL: options.databaseUrl,
        CDT_DATABASE_ADMIN_URL: options.adminUrl,
        CDT_JWT_SECRET: this.jwtSecret,
        CDT_LOG_LEVEL: 'warn',
        CDT_HOST: '127.0.0.1',
        CDT_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stderr?.on('data', keep);
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`activity-service did not listen within ${STARTUP_TIMEOUT_MS / 1000} s:\n${this.output}`)), STARTUP_TIMEOUT_MS);
      child.stdout?.on('data', (chunk: Buffer) => {
        keep(chunk);
        const match = /listening on (http:\/\/\S+?);/.exec(this.output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`activity-service exited (${code ?? signal}) before listening:\n${this.output}`));
      });
    });
    child.removeAllListeners('exit');
    child.once('exit', (code, signal) => {
      if (this.child === child) process.stderr.write(`\nactivity-service exited unexpectedly (${code ?? signal}):\n${this.output}\n`);
    });
  }

  /** What the service wrote lately (warnings and errors only: it runs at CDT_LOG_LEVEL=warn). */
  recentOutput(): string {
    return this.output;
  }

  /** Resident set now and at its peak (VmHWM), MiB, from the kernel's view of the child. */
  memory(): { rssMb: number; hwmMb: number } {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: Math.round(kib('VmRSS') / 1024), hwmMb: Math.round(kib('VmHWM') / 1024) };
  }

  /** Samples VmRSS every `everyMs` until the returned function is called; that returns the largest, MiB. */
  sampleRss(everyMs = 250): () => number {
    let peak = this.memory().rssMb;
    const timer = setInterval(() => {
      peak = Math.max(peak, this.memory().rssMb);
    }, everyMs);
    return () => {
      clearInterval(timer);
      return Math.max(peak, this.memory().rssMb);
    };
  }

  /** SIGINT, then the service's shutdown hooks close the store; a profile (--cpu-prof) is written at exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = undefined;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}
