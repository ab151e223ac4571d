import { compareCheckpoints, START, type Checkpoint, type EventStore } from '@cdt/event-store';
import type { UnitResolver } from '@cdt/domain-kpi';
import { loadProjectorState, projectIntoStore } from '@cdt/read-store';
import type { LiveKpiReadStore } from '../read-models/live-kpi-read-store';
import { POINTER_TTL_MS } from '../read-models/versioned-kpi-read-store';

/** Wait this long after the switch before dropping the old version: well past POINTER_TTL_MS and a slow query. */
export const DEFAULT_GRACE_MS = Math.max(5_000, POINTER_TTL_MS * 10);
const HEARTBEAT_EVERY_MS = 5_000;
export const DEFAULT_REBUILD_BATCH_SIZE = 20_000;

export type RebuildPhase = 'building' | 'switched' | 'dropped';

export interface RebuildProgress {
  phase: RebuildPhase;
  version: string;
  /** Global position reached and the log head's, so `done / total` is the share of the log projected. */
  done: number;
  total: number;
  resumed: boolean;
}

export interface RebuildOptions {
  eventStore: Pick<EventStore, 'readAll' | 'head'>;
  readStore: LiveKpiReadStore;
  resolve: UnitResolver;
  batchSize?: number;
  graceMs?: number;
  onProgress?: (progress: RebuildProgress) => void;
  /** Aborting stops between two batches; the version keeps its checkpoint and the next rebuild resumes it. */
  signal?: AbortSignal;
}

export interface RebuildResult {
  version: string;
  previous: string;
  resumed: boolean;
  events: number;
  dropped: string[];
}

const position = (checkpoint: Checkpoint | undefined): number => Number((checkpoint ?? START).globalPosition);

/**
 * Rebuilds the KPI read model without downtime: projects the whole log into a new version (schema)
 * alongside the live one, from that version's own checkpoint (so an interrupted rebuild resumes),
 * switches the live pointer when caught up, waits out the grace period and drops the old version.
 * Queries keep answering from the live version throughout; the live runner follows the switch.
 */
export async function rebuildKpiModel(options: RebuildOptions): Promise<RebuildResult> {
  const { eventStore, readStore, resolve } = options;
  // Offline and alongside the live model: big pages merge more events per written row (−20 % rows from 10,000 to 50,000).
  const batchSize = options.batchSize ?? DEFAULT_REBUILD_BATCH_SIZE;
  const { schema, resumed } = await readStore.versions.startBuild();
  const store = await readStore.version(schema);
  let state = await loadProjectorState(store);
  let checkpoint = (await store.checkpoint()) ?? START;
  let head = await eventStore.head();
  let events = 0;
  let lastBeat = Date.now();
  const report = (phase: RebuildPhase) =>
    options.onProgress?.({ phase, version: schema, done: position(checkpoint), total: Math.max(position(head), position(checkpoint)), resumed });

  try {
    report('building');
    for (;;) {
      options.signal?.throwIfAborted();
      const page = await eventStore.readAll({ after: checkpoint, limit: batchSize });
      if (page.events.length > 0) {
        ({ state } = await projectIntoStore(store, state, page.events, page.checkpoint, resolve));
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
  } catch (error) {
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
  return { version: schema, previous, resumed, events, dropped };
}
