import type { Checkpoint } from '@cdt/event-store';
import type { ProjectionEvent, UnitResolver } from '@cdt/domain-kpi';
import {
  loadModel2State,
  loadProjectorState,
  Model2Pipeline,
  projectIntoModel2,
  projectIntoStore,
  type KpiModel2Store,
  type KpiReadStore,
} from '@cdt/read-store';
import type { KpiModel, KpiVersionStore } from '../read-models/kpi-model';

/**
 * Projects batches into one model version with the projector of the model the version holds, carrying
 * the projector's state from batch to batch: what the runner needs, whatever the model.
 */
export interface ModelProjection {
  readonly model: KpiModel;
  /** Teams the projector knows now (logged when the runner subscribes). */
  readonly teams: number;
  checkpoint(): Promise<Checkpoint | undefined>;
  /**
   * One batch: its deltas and the checkpoint in one transaction. False: the store was already past the
   * batch (a commit whose reply was lost); the state is then reloaded from the store, whose stored
   * teams, not ours, match its checkpoint.
   */
  project(events: readonly ProjectionEvent[], checkpoint: Checkpoint): Promise<boolean>;
}

/** Catch-up writes (a rebuild): pages pushed in order; a model may overlap a page's write with the next page's projection. */
export interface CatchUpWriter {
  push(events: readonly ProjectionEvent[], checkpoint: Checkpoint): Promise<void>;
  /** Waits for every pushed page to be written; throws if one failed (the version keeps the checkpoint of the last written). */
  flush(): Promise<void>;
}

class Model1Projection implements ModelProjection {
  readonly model = 1;

  private constructor(
    private readonly store: KpiReadStore,
    private readonly resolve: UnitResolver,
    private state: Awaited<ReturnType<typeof loadProjectorState>>,
  ) {}

  static async open(store: KpiReadStore, resolve: UnitResolver): Promise<Model1Projection> {
    return new Model1Projection(store, resolve, await loadProjectorState(store));
  }

  get teams(): number {
    return Object.keys(this.state.teams).length;
  }

  checkpoint(): Promise<Checkpoint | undefined> {
    return this.store.checkpoint();
  }

  async project(events: readonly ProjectionEvent[], checkpoint: Checkpoint): Promise<boolean> {
    const result = await projectIntoStore(this.store, this.state, events, checkpoint, this.resolve);
    this.state = result.applied ? result.state : await loadProjectorState(this.store);
    return result.applied;
  }
}

class Model2Projection implements ModelProjection {
  readonly model = 2;

  private constructor(
    private readonly store: KpiModel2Store,
    private readonly resolve: UnitResolver,
    private state: Awaited<ReturnType<typeof loadModel2State>>,
  ) {}

  static async open(store: KpiModel2Store, resolve: UnitResolver): Promise<Model2Projection> {
    return new Model2Projection(store, resolve, await loadModel2State(store));
  }

  get teams(): number {
    return Object.keys(this.state.teams).length;
  }

  checkpoint(): Promise<Checkpoint | undefined> {
    return this.store.checkpoint();
  }

  async project(events: readonly ProjectionEvent[], checkpoint: Checkpoint): Promise<boolean> {
    const result = await projectIntoModel2(this.store, events, this.resolve, this.state, checkpoint);
    this.state = result.applied ? result.state : await loadModel2State(this.store);
    return result.applied;
  }
}

/** The projection of one version with its model's projector, its state read from the version's store. */
export function openModelProjection(version: KpiVersionStore, resolve: UnitResolver): Promise<ModelProjection> {
  return version.model === 1 ? Model1Projection.open(version.store, resolve) : Model2Projection.open(version.store, resolve);
}

/**
 * Catch-up into one version: model 1 one page at a time; model 2 through `Model2Pipeline` (a page's
 * write overlaps the projection of the next, ADR 0010 step 2). A page the version is already past is
 * skipped by model 1 (its store refuses it) and fails model 2's pipeline: a rebuild reads from the
 * version's own checkpoint, so neither happens unless two writers share the version.
 */
export async function catchUpWriter(version: KpiVersionStore, resolve: UnitResolver): Promise<CatchUpWriter> {
  if (version.model === 2) return Model2Pipeline.start(version.store, resolve);
  const projection = await Model1Projection.open(version.store, resolve);
  return {
    push: async (events, checkpoint) => {
      await projection.project(events, checkpoint);
    },
    flush: async () => undefined,
  };
}
