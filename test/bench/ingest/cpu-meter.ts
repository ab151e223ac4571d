import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User + system CPU a process has used so far, ms (0 once it is gone). */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

export interface CpuSplit {
  serviceMs: number;
  postgresMs: number;
}

/**
 * CPU time spent by the service process and by the PostgreSQL backends serving its database during a
 * phase: on a shared machine the wall-clock rate depends on the neighbours, the CPU per activity less so.
 */
export class CpuMeter {
  private start = new Map<number, number>();

  constructor(
    private readonly servicePid: number,
    private readonly adminUrl: string,
  ) {}

  async begin(): Promise<void> {
    const pids = [this.servicePid, ...(await this.backendPids())];
    this.start = new Map(pids.map((pid) => [pid, processCpuMs(pid)]));
  }

  async end(): Promise<CpuSplit> {
    const since = (pid: number) => processCpuMs(pid) - (this.start.get(pid) ?? 0);
    const backends = await this.backendPids();
    return { serviceMs: Math.round(since(this.servicePid)), postgresMs: Math.round(backends.reduce((sum, pid) => sum + since(pid), 0)) };
  }

  /** Backends of the application's connections to this database (not this meter's own, not autovacuum). */
  private async backendPids(): Promise<number[]> {
    const client = new Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      // Sessions of a role only (autovacuum workers have none, and one counts only if it happens to be
      // alive at both ends); backend_type would say so too, but a role that is not superuser sees null.
      const { rows } = await client.query<{ pid: number }>(
        'select pid from pg_stat_activity where datname = current_database() and usename is not null and pid <> pg_backend_pid()',
      );
      return rows.map((row) => row.pid);
    } finally {
      await client.end();
    }
  }
}
