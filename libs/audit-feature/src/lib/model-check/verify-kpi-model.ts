import { compareCheckpoints, START, type Checkpoint, type EventStore } from '@cdt/event-store';
import type { UnitResolver } from '@cdt/domain-kpi';
import { loadProjectorState, projectIntoStore, SqlKpiReadStore, type SqlClient } from '@cdt/read-store';
import type { VersionedKpiReadStore } from '@cdt/projection-feature';

/** Where a verification rebuilds: not a `kpi_v<n>` version, so no rebuild or switch ever takes it for one. */
export const SCRATCH_SCHEMA = 'kpi_verify';
const MAX_ROUNDS = 5;

/**
 * The check compares model 1's stored figure rows; a model-2 version stores facts and cells and counts
 * distinct subjects when asked, so it cannot be compared this way: refused by name rather than answered wrongly.
 */
export class ModelNotCheckableError extends Error {
  override readonly name = 'ModelNotCheckableError';
  constructor(
    readonly version: string,
    readonly model: number,
  ) {
    super(`cannot verify ${version}: it holds KPI model ${model}, and the check compares model 1's stored figures only (ADR 0010); no verdict is given`);
  }
}

/** One stored figure (or target) on which the live model and a rebuild from the log disagree. */
export interface FigureDifference {
  kind: 'figure' | 'target';
  view?: string;
  level?: string;
  unitKey: string;
  periodKind?: string;
  period: string;
  indicator: string;
  /** null: the row is absent on that side (a figure counts as 0 there). */
  live: number | null;
  rebuilt: number | null;
}

export interface ModelCheckProgress {
  done: number;
  total: number;
  resumed: boolean;
}

export interface ModelCheckOptions {
  eventStore: Pick<EventStore, 'readAll'>;
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
  /** The log position both sides were compared at. */
  checkpoint: Checkpoint;
  resumed: boolean;
  eventsProjected: number;
  /** Figure rows of the live version. */
  figuresCompared: number;
  differenceCount: number;
  differences: FigureDifference[];
}

const position = (c: Checkpoint | undefined): number => Number((c ?? START).globalPosition);

/**
 * Rebuilds the KPI read model from the log into a scratch schema beside the live version, up to the
 * live version's checkpoint, and compares every stored figure and target in one statement (one
 * snapshot). If the live model moved meanwhile, the scratch catches up and compares again. An
 * interrupted check leaves the scratch schema with its own checkpoint; the next run resumes from it.
 */
export async function verifyKpiModel(options: ModelCheckOptions): Promise<ModelCheckReport> {
  const { eventStore, readStore, resolve } = options;
  const batchSize = options.batchSize ?? 2000;
  const live = await readStore.activeSchema();
  const liveVersion = await readStore.version(live);
  if (liveVersion.model !== 1) throw new ModelNotCheckableError(live, liveVersion.model);
  const liveStore = liveVersion.store;
  let scratch = await SqlKpiReadStore.open(readStore.db, SCRATCH_SCHEMA);
  let scratchAt = (await scratch.checkpoint()) ?? START;
  let target = (await liveStore.checkpoint()) ?? START;
  let resumed = compareCheckpoints(scratchAt, START) > 0;
  if (compareCheckpoints(scratchAt, target) > 0) {
    // Left ahead of the live model by an earlier run: it cannot be wound back, start again.
    await readStore.db.exec(`drop schema if exists ${SCRATCH_SCHEMA} cascade`);
    scratch = await SqlKpiReadStore.open(readStore.db, SCRATCH_SCHEMA);
    scratchAt = START;
    resumed = false;
  }
  let state = await loadProjectorState(scratch);
  let eventsProjected = 0;

  const catchUp = async () => {
    for (;;) {
      options.signal?.throwIfAborted();
      options.onProgress?.({ done: position(scratchAt), total: position(target), resumed });
      if (compareCheckpoints(scratchAt, target) >= 0) return;
      const page = await eventStore.readAll({ after: scratchAt, limit: batchSize });
      const events = page.events.filter((event) => compareCheckpoints(event.position, target) <= 0);
      if (events.length === 0) return;
      const upTo = events.length === page.events.length ? page.checkpoint : events[events.length - 1].position;
      ({ state } = await projectIntoStore(scratch, state, events, upTo, resolve));
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
      return { moved: undefined, ...(await compare(tx, live, options.maxDifferences ?? 1000)) };
    });
    if (compared.moved === undefined) {
      if (!options.keepScratch) await readStore.db.exec(`drop schema if exists ${SCRATCH_SCHEMA} cascade`);
      const { differences, differenceCount, figuresCompared } = compared;
      return { ok: differenceCount === 0, live, scratch: SCRATCH_SCHEMA, checkpoint: target, resumed, eventsProjected, figuresCompared, differenceCount, differences };
    }
    if (round === MAX_ROUNDS) throw new Error(`the live model kept moving (${MAX_ROUNDS} rounds); run the check when projection is quiet, or stop the projection runner`);
    if (compareCheckpoints(compared.moved, scratchAt) < 0) throw new Error(`the live model ${live} went back to position ${compared.moved.globalPosition} (switched?); run the check again`);
    target = compared.moved;
  }
}

interface Compared {
  differences: FigureDifference[];
  differenceCount: number;
  figuresCompared: number;
}

/** Figures and targets of two schemas side by side; a missing figure row counts as 0, a missing target as none. */
async function compare(tx: SqlClient, live: string, limit: number): Promise<Compared> {
  const key = ['view', 'level', 'unit_key', 'period_kind', 'period_key', 'indicator'];
  const figures = await tx.query<{ view: string; level: string; unit_key: string; period_kind: string; period_key: string; indicator: string; live: string | null; rebuilt: string | null; total: string }>(
    `select ${key.map((k) => `coalesce(l.${k}, s.${k}) as ${k}`).join(', ')},
            l.value::text as live, s.value::text as rebuilt, count(*) over ()::text as total
       from ${live}.figures l
       full join ${SCRATCH_SCHEMA}.figures s on ${key.map((k) => `l.${k} = s.${k}`).join(' and ')}
      where coalesce(l.value, 0) <> coalesce(s.value, 0)
      order by 1, 2, 3, 4, 5, 6
      limit $1`,
    [limit],
  );
  const targets = await tx.query<{ unit_key: string; indicator: string; period: string; live: number | null; rebuilt: number | null; total: string }>(
    `select coalesce(l.unit_key, s.unit_key) as unit_key, coalesce(l.indicator, s.indicator) as indicator, coalesce(l.period, s.period) as period,
            l.value as live, s.value as rebuilt, count(*) over ()::text as total
       from ${live}.targets l
       full join ${SCRATCH_SCHEMA}.targets s on l.unit_key = s.unit_key and l.indicator = s.indicator and l.period = s.period
      where l.value is distinct from s.value
      order by 1, 2, 3
      limit $1`,
    [limit],
  );
  const { rows: [count] } = await tx.query<{ n: string }>(`select count(*)::text as n from ${live}.figures`);
  const number = (value: string | number | null): number | null => (value === null ? null : Number(value));
  const differences: FigureDifference[] = [
    ...figures.rows.map((r): FigureDifference => ({ kind: 'figure', view: r.view, level: r.level, unitKey: r.unit_key, periodKind: r.period_kind, period: r.period_key, indicator: r.indicator, live: number(r.live), rebuilt: number(r.rebuilt) })),
    ...targets.rows.map((r): FigureDifference => ({ kind: 'target', unitKey: r.unit_key, period: r.period, indicator: r.indicator, live: number(r.live), rebuilt: number(r.rebuilt) })),
  ];
  return {
    differences: differences.slice(0, limit),
    differenceCount: Number(figures.rows[0]?.total ?? 0) + Number(targets.rows[0]?.total ?? 0),
    figuresCompared: Number(count.n),
  };
}
