import { PERIOD_KINDS } from '@cdt/domain-shared';
import type { Checkpoint } from '@cdt/event-store';
import { LEVELS, LEVEL_RANK, VIEWS, childrenOfModel2, figuresOfModel2, model2Rows, type InMemoryModel2, type ProjectionEvent, type UnitFigures } from '@cdt/domain-kpi';
import { batchesOf, build, resolve } from '@cdt/domain-kpi/testing';
import type { KpiModel2Store } from '../lib/model2/kpi-model2-store.port';
import { Model2Pipeline } from '../lib/model2/model2-pipeline';
import { loadModel2State, projectIntoModel2 } from '../lib/model2/project-into-model2';

/** What the model-2 contract and the stores' own specs share: checkpoints, feeding a log, comparing with the in-memory model 2. */

/** A short log with a move, a later year and a retraction: what the refusal and reopen cases feed in two batches. */
export const shortLog = (): ReturnType<typeof build> =>
  build([
    { k: 'visit', team: 0, household: 1, day: 10 },
    { k: 'install', team: 1, citizen: 2, day: 11, app: 'vneid' },
    { k: 'relocate', team: 0, commune: 3 },
    { k: 'visit', team: 0, household: 2, day: 400 },
    { k: 'retract', pick: 0 },
  ]);

export const checkpointAt = (position: number): Checkpoint => ({ transactionId: '1', globalPosition: String(position) });

/** A unit's figures as one string, key order aside. */
export const canonical = (figures: UnitFigures): string => JSON.stringify([figures.unitKey, Object.entries(figures.values).sort(), Object.entries(figures.targets).sort()]);

export const byTeamId = (a: { teamId: string }, b: { teamId: string }): number => (a.teamId < b.teamId ? -1 : 1);

/**
 * Feeds events[from, to) in batches of the given sizes (the rest in one last batch), one at a time
 * (projectIntoModel2) or with each write overlapping the next projection (Model2Pipeline); each batch is
 * checkpointed at the position of its last event. Returns the end position. Pipelined, an event whose id
 * came before is left out, as the event store (the pipeline's only feed, whose ids are unique) would have
 * refused it: the pipeline does not look applied ids up (model2-pipeline.ts).
 */
export async function feedModel2(
  store: KpiModel2Store,
  events: readonly ProjectionEvent[],
  sizes: readonly number[],
  options: { from?: number; to?: number; pipelined?: boolean } = {},
): Promise<number> {
  const from = options.from ?? 0;
  const pipeline = options.pipelined ? await Model2Pipeline.start(store, resolve) : undefined;
  let state = await loadModel2State(store);
  let offset = from;
  const logged = new Set<string>();
  for (const batch of batchesOf(events.slice(from, options.to), sizes)) {
    offset += batch.length;
    if (pipeline) {
      await pipeline.push(batch.filter((event) => !logged.has(event.eventId) && logged.add(event.eventId)), checkpointAt(offset));
      continue;
    }
    const next = await projectIntoModel2(store, batch, resolve, state, checkpointAt(offset));
    expect(next.applied).toBe(true);
    state = next.state;
  }
  await pipeline?.flush();
  return offset;
}

/**
 * Answers compared with the in-memory model 2: figures of every unit that holds a row, at every level, for
 * every period of every kind in both views (all units in one call); for the first, the last and one drawn
 * period of each kind, each unit alone (its facts read through the pushed-down filter alone) and its children
 * at every lower level. Returns the differences found.
 */
export async function model2Differences(store: KpiModel2Store, memory: InMemoryModel2, pick: number): Promise<string[]> {
  const found: string[] = [];
  for (const view of VIEWS) {
    for (const kind of PERIOD_KINDS) {
      const rows = model2Rows(memory, view, kind);
      const periods = [...new Set(rows.map((row) => row.periodKey))].sort();
      const probes = new Set([periods[0], periods[pick % periods.length], periods[periods.length - 1]]);
      for (const period of periods) {
        for (const level of LEVELS) {
          const units = [...new Set(rows.filter((row) => row.level === level).map((row) => row.unitKey))].sort();
          if (units.length === 0) continue;
          const [got, want] = [await store.figures(view, level, units, period), figuresOfModel2(memory, view, level, units, period)];
          units.forEach((unit, i) => {
            if (canonical(got[i]) !== canonical(want[i])) found.push(`figures ${view} ${level} ${unit} ${period}: ${canonical(got[i])} ≠ ${canonical(want[i])}`);
          });
          if (!probes.has(period)) continue;
          for (const unit of units) {
            const [one] = await store.figures(view, level, [unit], period);
            const [expected] = figuresOfModel2(memory, view, level, [unit], period);
            if (canonical(one) !== canonical(expected)) found.push(`figures of one ${view} ${level} ${unit} ${period}: ${canonical(one)} ≠ ${canonical(expected)}`);
            for (const childLevel of LEVELS.filter((l) => LEVEL_RANK[l] < LEVEL_RANK[level])) {
              const [a, b] = [await store.children(view, level, unit, childLevel, period), childrenOfModel2(memory, view, level, unit, childLevel, period)];
              if (JSON.stringify(a) !== JSON.stringify(b)) found.push(`children ${view} ${level} ${unit} ${childLevel} ${period}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
            }
          }
        }
      }
    }
  }
  return found;
}
