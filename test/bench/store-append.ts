import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MultiBar } from 'cli-progress';
import { Client } from 'pg';
import { type NewEvent, openEventStore } from '@cdt/event-store';

const ENGINES_ENV_FILE = join(__dirname, '..', 'engines', '.state', 'env');

/** A PostgreSQL role that may CREATE DATABASE: CDT_BENCH_POSTGRES_URL, else the engines harness env file. */
export function benchPostgresUrl(): string | undefined {
  if (process.env['CDT_BENCH_POSTGRES_URL']) return process.env['CDT_BENCH_POSTGRES_URL'];
  if (!existsSync(ENGINES_ENV_FILE)) return undefined;
  const line = readFileSync(ENGINES_ENV_FILE, 'utf8').split('\n').find((l) => /^(CDT_TEST_POSTGRES_URL|POSTGRES_URL|CDT_POSTGRES_ADMIN_URL)=/.test(l));
  return line?.slice(line.indexOf('=') + 1).trim().replace(/^['"]|['"]$/g, '');
}

/** The shape of the raw event-store append load, shared by bench:store and bench:ingest (its baseline). */
export interface AppendLoad {
  events: number;
  writers: number;
  batch: number;
}

export interface DriveResult {
  perSecond: number;
  p50: number;
  p99: number;
}

/** ~500 bytes of JSON per event, shaped like a household visit. */
export function makeEventBatches(load: AppendLoad): NewEvent[][] {
  const batches: NewEvent[][] = [];
  for (let done = 0; done < load.events; done += load.batch) {
    batches.push(Array.from({ length: Math.min(load.batch, load.events - done) }, (_, i) => ({
      eventId: randomUUID(),
      type: 'HouseholdVisitRecorded',
      schemaVersion: 1,
      data: {
        activityId: randomUUID(), teamId: `team-${done % 997}`, communeCode: '26734', village: 'Thôn Đông',
        householdRef: `hh_${randomUUID().replaceAll('-', '')}`, memberIds: [randomUUID(), randomUUID()],
        skills: ['dvctt', 'payment', 'safety'], note: `lượt thăm ${done + i}`,
      },
      metadata: { occurredAt: '2025-07-01T09:00:00+07:00', actor: 'bench', correlationId: randomUUID() },
    })));
  }
  return batches;
}

/** Runs `writers` loops that take batches off one queue; returns the rate and per-batch latencies. */
export async function drive<T extends { length: number }>(
  bars: MultiBar,
  label: string,
  batches: T[],
  writers: number,
  write: (batch: T, writer: number, index: number) => Promise<void>,
): Promise<DriveResult> {
  const total = batches.reduce((n, b) => n + b.length, 0);
  const bar = bars.create(total, 0, { label: label.padEnd(18) });
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: writers }, async (_, writer) => {
    for (let index = next++; index < batches.length; index = next++) {
      const t0 = process.hrtime.bigint();
      await write(batches[index], writer, index);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      bar.increment(batches[index].length);
    }
  }));
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  bar.stop();
  return { perSecond: Math.round((total * 1000) / elapsedMs), ...percentiles(latencies) };
}

export function percentiles(latencies: number[]): { p50: number; p99: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) => round1(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0);
  return { p50: pct(0.5), p99: pct(0.99) };
}

export const round1 = (n: number): number => Math.round(n * 10) / 10;

/**
 * The event store's PostgreSQL append path at full speed: `writers` concurrent appends of `batch`
 * events each, into 50 streams per writer, through the real adapter (cdt_append, hash chain, digests).
 * Runs in this process against the database at `dbUrl`, which it migrates.
 */
export async function postgresStoreAppend(bars: MultiBar, dbUrl: string, load: AppendLoad, label = 'postgres store'): Promise<DriveResult> {
  const store = await openEventStore({ kind: 'postgres', url: dbUrl, adminUrl: dbUrl, poolSize: load.writers });
  try {
    return await drive(bars, label, makeEventBatches(load), load.writers, async (batch, writer, index) => {
      await store.append(`bench-${writer}-${index % 50}`, batch, 'any');
    });
  } finally {
    await store.close();
  }
}

/** A new empty database on the server of `serverUrl` (a role that may CREATE DATABASE); drop() removes it. */
export async function scratchDatabase(serverUrl: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now()}_${randomUUID().slice(0, 8)}`;
  const run = async (sql: string) => {
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end();
    }
  };
  await run(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`drop database if exists ${name} with (force)`) };
}
