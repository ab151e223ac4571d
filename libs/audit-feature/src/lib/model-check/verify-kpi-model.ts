import { compareCheckpoints, START, type Checkpoint, type EventStore } from '@cdt/event-store';
import type { UnitResolver } from '@cdt/domain-kpi';
import { SqlKpiModel2Store, SqlKpiReadStore, type SqlDatabase } from '@cdt/read-store';
import { openModelProjection, type KpiModel, type KpiVersionStore, type VersionedKpiReadStore } from '@cdt/projection-feature';
import { compareModel1, compareModel2 } from './compare-versions';

/** Where a verification rebuilds: not a `kpi_v<n>` version, so no rebuild or switch ever takes it for one. */
export const SCRATCH_SCHEMA = 'kpi_verify';
const MAX_ROUNDS = 5;

/** One stored figure (or target, or model 2's fact) on which the live model and a rebuild from the log disagree. */
export interface FigureDifference {
  /** `fact`: a model-2 fact or stock fact row present on one side only (a changed row is one on each side); `detail` is the row. */
  kind: 'figure' | 'target' | 'fact';
  view?: string;
  level?: string;
  unitKey: string;
  periodKind?: string;
  period: string;
  indicator: string;
  /** null: the row is absent on that side (a figure counts as 0 there). */
  live: number | null;
  rebuilt: number | null;
  detail?: string;
}

export interface ModelCheckProgress {
  done: number;
  total: number;
  resumed: boolean;
}

export interface ModelCheckOptions {
  /** Read narrow: only what a projection needs leaves the database (ADR 0010 decision 7). */
  eventStore: Pick<EventStore, 'readAllNarrow'>;
  readStore: VersionedKpiReadStore;
  resolve: UnitResolver;
  batchSize?: number;
  /** Differences listed in the report (the count goes on). */
  maxDifferences?: number;
  /** Keep the scratch schema afterwards (default: dropped once compared). */
  keepScratch?: boolean;
  onProgress?: (progress: ModelCheckProgress) => void;
  signal?: AbortSignal;
}

export interface ModelCheckReport {
  ok: boolean;
  live: string;
  scratch: string;
  /** The KPI model of the live version (and of the scratch rebuilt beside it). */
  model: KpiModel;
  /** The log position both sides were compared at. */
  checkpoint: Checkpoint;
  resumed: boolean;
  eventsProjected: number;
  /** Figure rows of the live version (model 2: non-zero cell values, one per indicator). */
  figuresCompared: number;
  differenceCount: number;
  differences: FigureDifference[];
}

const position = (c: Checkpoint | undefined): number => Number((c ?? START).globalPosition);

/** A scratch version of `model` in `schema` (its tables created when missing). */
async function openScratch(db: SqlDatabase, model: KpiModel): Promise<KpiVersionStore<SqlKpiReadStore, SqlKpiModel2Store>> {
  // A scratch an earlier check of the other model left cannot be resumed: start again.
  const other = model === 1 ? 'facts' : 'figures';
  const { rows } = await db.query<{ found: string | null }>(`select to_regclass('${SCRATCH_SCHEMA}.${other}')::text as found`);
  if (rows[0]?.found) await db.exec(`drop schema if exists ${SCRATCH_SCHEMA} cascade`);
  return model === 1 ? { model, store: await SqlKpiReadStore.open(db, SCRATCH_SCHEMA) } : { model, store: await SqlKpiModel2Store.open(db, SCRATCH_SCHEMA) };
}

/**
 * Rebuilds the KPI read model from the log into a scratch schema beside the live version, with the
 * projector of the live version's model, up to the live version's checkpoint, and compares in one
 * snapshot: model 1, every stored figure and target; model 2, every cell value (per indicator), fact,
 * stock fact and target (distinct counts are computed from those facts when asked, so equal facts
 * and cells give equal answers). If the live model moved meanwhile, the scratch catches up and compares again. An
 * interrupted check leaves the scratch schema with its own checkpoint; the next run resumes from it.
 */
export async function verifyKpiModel(options: ModelCheckOptions): Promise<ModelCheckReport> {
  const { eventStore, readStore, resolve } = options;
  const batchSize = options.batchSize ?? 2000;
  const live = await readStore.activeSchema();
  const { model, store: liveStore } = await readStore.version(live);
  let scratch = await openScratch(readStore.db, model);
  let scratchAt = (await scratch.store.checkpoint()) ?? START;
  let target = (await liveStore.checkpoint()) ?? START;
  let resumed = compareCheckpoints(scratchAt, START) > 0;
  if (compareCheckpoints(scratchAt, target) > 0) {
    // Left ahead of the live model by an earlier run: it cannot be wound back, start again.
    await readStore.db.exec(`drop schema if exists ${SCRATCH_SCHEMA} cascade`);
    scratch = await openScratch(readStore.db, model);
    scratchAt = START;
    resumed = false;
  }
  const projection = await openModelProjection(scratch, resolve);
  let eventsProjected = 0;

  const catchUp = async () => {
    for (;;) {
      options.signal?.throwIfAborted();
      options.onProgress?.({ done: position(scratchAt), total: position(target), resumed });
      if (compareCheckpoints(scratchAt, target) >= 0) return;
      const page = await eventStore.readAllNarrow({ after: scratchAt, limit: batchSize });
      const events = page.events.filter((event) => compareCheckpoints(event.position, target) <= 0);
      if (events.length === 0) return;
      const upTo = events.length === page.events.length ? page.checkpoint : events[events.length - 1].position;
      await projection.project(events, upTo);
      eventsProjected += events.length;
      scratchAt = upTo;
      if (page.atHead && events.length === page.events.length) return;
    }
  };

  for (let round = 1; ; round++) {
    await catchUp();
    const compared = await readStore.db.transaction(async (tx) => {
      const now = (await liveStore.checkpoint(tx)) ?? START;
      if (compareCheckpoints(now, target) !== 0) return { moved: now };
      const limit = options.maxDifferences ?? 1000;
      return { moved: undefined, ...(await (model === 1 ? compareModel1 : compareModel2)(tx, live, SCRATCH_SCHEMA, limit)) };
    });
    if (compared.moved === undefined) {
      if (!options.keepScratch) await readStore.db.exec(`drop schema if exists ${SCRATCH_SCHEMA} cascade`);
      const { differences, differenceCount, figuresCompared } = compared;
      return { ok: differenceCount === 0, live, scratch: SCRATCH_SCHEMA, model, checkpoint: target, resumed, eventsProjected, figuresCompared, differenceCount, differences };
    }
    if (round === MAX_ROUNDS) throw new Error(`the live model kept moving (${MAX_ROUNDS} rounds); run the check when projection is quiet, or stop the projection runner`);
    if (compareCheckpoints(compared.moved, scratchAt) < 0) throw new Error(`the live model ${live} went back to position ${compared.moved.globalPosition} (switched?); run the check again`);
    target = compared.moved;
  }
}
