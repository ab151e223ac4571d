import type { Checkpoint } from '@cdt/event-store';
import type { ProjectionEvent, ProjectorState, UnitResolver } from '@cdt/domain-kpi';
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
  /** Reads the projector's state from the store again (after the store was written by another writer, e.g. a catch-up pipeline). */
  reload(): Promise<void>;
}

/** Catch-up writes (a rebuild): pages pushed in order; a model may overlap a page's write with the next page's projection. */
export interface CatchUpWriter {
  push(events: readonly ProjectionEvent[], checkpoint: Checkpoint): Promise<void>;
  /** Waits for every pushed page to be written; throws if one failed (the version keeps the checkpoint of the last written). */
  flush(): Promise<void>;
}

/** What differs between the models: how the projector's state is read from a version's store and how a batch goes in. */
interface ModelProjector<Store> {
  readonly model: KpiModel;
  load(store: Store): Promise<ProjectorState>;
  project(
    store: Store,
    state: ProjectorState,
    events: readonly ProjectionEvent[],
    checkpoint: Checkpoint,
    resolve: UnitResolver,
  ): Promise<{ state: ProjectorState; applied: boolean }>;
}

const model1Projector: ModelProjector<KpiReadStore> = { model: 1, load: loadProjectorState, project: projectIntoStore };

const model2Projector: ModelProjector<KpiModel2Store> = {
  model: 2,
  load: loadModel2State,
  project: (store, state, events, checkpoint, resolve) => projectIntoModel2(store, events, resolve, state, checkpoint),
};

type CheckpointedStore = Pick<KpiReadStore, 'checkpoint'>;

/** One model version's projection: the projector's state carried from batch to batch, reloaded when the store refuses a batch. */
class StatefulProjection<Store extends CheckpointedStore> implements ModelProjection {
  private constructor(
    private readonly store: Store,
    private readonly projector: ModelProjector<Store>,
    private readonly resolve: UnitResolver,
    private state: ProjectorState,
  ) {}

  static async open<Store extends CheckpointedStore>(
    store: Store,
    projector: ModelProjector<Store>,
    resolve: UnitResolver,
  ): Promise<StatefulProjection<Store>> {
    return new StatefulProjection(store, projector, resolve, await projector.load(store));
  }

  get model(): KpiModel {
    return this.projector.model;
  }

  get teams(): number {
    return Object.keys(this.state.teams).length;
  }

  checkpoint(): Promise<Checkpoint | undefined> {
    return this.store.checkpoint();
  }

  async project(events: readonly ProjectionEvent[], checkpoint: Checkpoint): Promise<boolean> {
    const result = await this.projector.project(this.store, this.state, events, checkpoint, this.resolve);
    this.state = result.applied ? result.state : await this.projector.load(this.store);
    return result.applied;
  }

  async reload(): Promise<void> {
    this.state = await this.projector.load(this.store);
  }
}

/** The projection of one version with its model's projector, its state read from the version's store. */
export function openModelProjection(version: KpiVersionStore, resolve: UnitResolver): Promise<ModelProjection> {
  return version.model === 1
    ? StatefulProjection.open(version.store, model1Projector, resolve)
    : StatefulProjection.open(version.store, model2Projector, resolve);
}

/**
 * Catch-up into one version: model 1 one page at a time; model 2 through `Model2Pipeline` (a page's
 * write overlaps the projection of the next, ADR 0010 step 2). A page the version is already past is
 * skipped by model 1 (its store refuses it) and fails model 2's pipeline: a rebuild reads from the
 * version's own checkpoint, so neither happens unless two writers share the version.
 */
export async function catchUpWriter(version: KpiVersionStore, resolve: UnitResolver): Promise<CatchUpWriter> {
  if (version.model === 2) return Model2Pipeline.start(version.store, resolve);
  const projection = await StatefulProjection.open(version.store, model1Projector, resolve);
  return {
    push: async (events, checkpoint) => {
      await projection.project(events, checkpoint);
    },
    flush: async () => undefined,
  };
}
