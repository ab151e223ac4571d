import { compareCheckpoints, START, type Checkpoint, type EventStore } from '@cdt/event-store';
import type { UnitResolver } from '@cdt/domain-kpi';
import type { KpiModel } from '../read-models/kpi-model';
import type { LiveKpiReadStore } from '../read-models/live-kpi-read-store';
import { catchUpWriter } from '../runner/model-projection';
import { POINTER_TTL_MS } from '../read-models/versioned-kpi-read-store';

/** Wait this long after the switch before dropping the old version: well past POINTER_TTL_MS and a slow query. */
export const DEFAULT_GRACE_MS = Math.max(5_000, POINTER_TTL_MS * 10);
const HEARTBEAT_EVERY_MS = 5_000;
export const DEFAULT_REBUILD_BATCH_SIZE = 20_000;
/**
 * Events per rebuild page by model. Model 2 writes fewer rows per event the more a page merges: pages of
 * 50,000 cut PostgreSQL's CPU from 28 to 23 ms per 1,000 events on the 1M bench log (100,000 were no better:
 * Node's garbage collection grew); docs/operations/benchmarks.md, 2026-11-26.
 */
export const REBUILD_BATCH_SIZE: Readonly<Record<KpiModel, number>> = { 1: DEFAULT_REBUILD_BATCH_SIZE, 2: 50_000 };

export type RebuildPhase = 'building' | 'switched' | 'dropped';

export interface RebuildProgress {
  phase: RebuildPhase;
  version: string;
  /** The model the new version holds. */
  model: KpiModel;
  /** Global position reached and the log head's, so `done / total` is the share of the log projected. */
  done: number;
  total: number;
  resumed: boolean;
}

export interface RebuildOptions {
  /** Read narrow: only what a projection needs leaves the database (ADR 0010 decision 7). */
  eventStore: Pick<EventStore, 'readAllNarrow' | 'head'>;
  readStore: LiveKpiReadStore;
  resolve: UnitResolver;
  /**
   * The model the new version holds (default: the live version's, or the interrupted build's when one is
   * resumed). Building model 2 beside a live model 1 and switching is the migration to model 2.
   */
  model?: KpiModel;
  batchSize?: number;
  graceMs?: number;
  onProgress?: (progress: RebuildProgress) => void;
  /** Aborting stops between two batches; the version keeps its checkpoint and the next rebuild resumes it. */
  signal?: AbortSignal;
}

export interface RebuildResult {
  version: string;
  model: KpiModel;
  previous: string;
  resumed: boolean;
  events: number;
  dropped: string[];
}

const position = (checkpoint: Checkpoint | undefined): number => Number((checkpoint ?? START).globalPosition);

/**
 * Rebuilds the KPI read model without downtime: projects the whole log into a new version (schema)
 * alongside the live one, with the projector of the version's model (`options.model`: model 1 → 2 is the
 * zero-downtime migration), from that version's own checkpoint (so an interrupted rebuild resumes),
 * switches the live pointer when caught up, waits out the grace period and drops the old version.
 * Queries keep answering from the live version throughout; the live runner follows the switch.
 */
export async function rebuildKpiModel(options: RebuildOptions): Promise<RebuildResult> {
  const { eventStore, readStore, resolve } = options;
  // Offline and alongside the live model: big pages merge more events per written row (−20 % rows from 10,000 to 50,000).
  const { schema, resumed, model } = await readStore.versions.startBuild(new Date(), options.model);
  const batchSize = options.batchSize ?? REBUILD_BATCH_SIZE[model];
  let head = await eventStore.head();
  let events = 0;
  let lastBeat = Date.now();
  let checkpoint: Checkpoint = START;
  const report = (phase: RebuildPhase) =>
    options.onProgress?.({ phase, version: schema, model, done: position(checkpoint), total: Math.max(position(head), position(checkpoint)), resumed });

  let writer: Awaited<ReturnType<typeof catchUpWriter>> | undefined;
  try {
    const version = await readStore.version(schema);
    checkpoint = (await version.store.checkpoint()) ?? START;
    writer = await catchUpWriter(version, resolve);
    report('building');
    for (;;) {
      options.signal?.throwIfAborted();
      const page = await eventStore.readAllNarrow({ after: checkpoint, limit: batchSize });
      if (page.events.length > 0) {
        await writer.push(page.events, page.checkpoint);
        events += page.events.length;
      }
      checkpoint = page.checkpoint;
      if (Date.now() - lastBeat > HEARTBEAT_EVERY_MS) {
        lastBeat = Date.now();
        await readStore.versions.heartbeat(schema);
        head = await eventStore.head();
      }
      report('building');
      if (page.atHead) {
        // Caught up with what the log showed then; look once more, since writers go on meanwhile.
        head = await eventStore.head();
        if (compareCheckpoints(checkpoint, head) >= 0) break;
      }
    }
    await writer.flush();
  } catch (error) {
    // The page in flight lands (or not) before the lease is given back, so the next rebuild resumes from a settled checkpoint.
    await writer?.flush().catch(() => undefined);
    await readStore.versions.release(schema).catch(() => undefined);
    throw error;
  }
  const previous = await readStore.versions.switchTo(schema);
  readStore.forget(previous);
  report('switched');
  await new Promise((resolve) => setTimeout(resolve, options.graceMs ?? DEFAULT_GRACE_MS));
  const dropped = await readStore.versions.dropRetired();
  for (const version of dropped) readStore.forget(version);
  report('dropped');
  return { version: schema, model, previous, resumed, events, dropped };
}
