import fc from 'fast-check';
import { batchSizes, build, opWithDissolution } from '../kpi-log.fixtures';
import { batchesOf, resolve } from '../kpi.fixtures';
import { footprintKeysOfBatch, relocatingTeamIds } from './batch-reads';
import { footprintKeyString } from './footprints';
import { applyModel2Deltas, emptyModel2, model2Context, model2StateOf } from './in-memory-model2';
import { projectBatchModel2 } from './projector';
import type { FootprintKey, Model2Context, TeamHistory } from './types';

/**
 * A store-backed runner prefetches what the synchronous projector context will be asked: the lists
 * must be exactly the projector's own questions, batch by batch (a missing key would read as "no
 * footprint" and silently miscount; an extra one costs a read).
 */
describe('model-2 batch reads', () => {
  it('name exactly the team histories and footprints projectBatchModel2 asks for, on random logs in random batch sizes', () => {
    fc.assert(
      fc.property(fc.array(opWithDissolution, { maxLength: 60 }), batchSizes, (ops, sizes) => {
        const { events } = build(ops);
        const model = emptyModel2();
        for (const batch of batchesOf(events, sizes)) {
          const inner = model2Context(model, resolve);
          const asked = { histories: new Set<string>(), footprints: new Set<string>() };
          const recording: Model2Context = {
            ...inner,
            footprintsOf: (keys: readonly FootprintKey[]) => {
              for (const key of keys) asked.footprints.add(footprintKeyString(key));
              return inner.footprintsOf(keys);
            },
            teamHistory: (teamId: string) => {
              asked.histories.add(teamId);
              return inner.teamHistory(teamId);
            },
          };

          const teamIds = relocatingTeamIds(batch);
          const histories = new Map<string, TeamHistory>(teamIds.map((teamId) => [teamId, inner.teamHistory(teamId)]));
          const keys = footprintKeysOfBatch(batch, histories).map(footprintKeyString);
          const { deltas } = projectBatchModel2(model2StateOf(model), batch, recording);

          expect(new Set(teamIds)).toEqual(asked.histories);
          expect(new Set(keys)).toEqual(asked.footprints);
          expect(keys).toHaveLength(new Set(keys).size);
          applyModel2Deltas(model, deltas);
        }
      }),
      { numRuns: 80 },
    );
  });
});
