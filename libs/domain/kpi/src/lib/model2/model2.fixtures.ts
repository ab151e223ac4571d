import { batchesOf, resolve } from '../kpi.fixtures';
import type { ProjectionEvent } from '../projector';
import { applyModel2Deltas, emptyModel2, model2Context, model2StateOf, type InMemoryModel2 } from './in-memory-model2';
import { projectBatchModel2 } from './projector';

/** Feeds events to a model-2 store in batches of the given sizes (the rest in one last batch), as the runner will. */
export const project2 = (events: readonly ProjectionEvent[], batchSizes: readonly number[] = [], model: InMemoryModel2 = emptyModel2()): InMemoryModel2 => {
  for (const batch of batchesOf(events, batchSizes)) {
    const { deltas } = projectBatchModel2(model2StateOf(model), batch, model2Context(model, resolve));
    applyModel2Deltas(model, deltas);
  }
  return model;
};
