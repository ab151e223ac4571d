import type { Checkpoint } from '@cdt/event-store';
import type { KpiDeltas, Level, TeamContributions, TeamRecord, UnitFigures, View } from '@cdt/domain-kpi';
import type { PeriodKind } from '@cdt/domain-shared';
import type { mongo } from 'mongoose';
import type { FiguresUnder, FiguresUnderQuery } from '../figures-under';
import type { KpiReadStore } from '../read-store.port';
import type { BatchPosition } from './batch-position';
import { validateDeltas } from './batch-journal';
import { writeGuarded } from './guarded-writes';
import { JournaledBatches, requireSchemaName } from './journaled-batches';
import { appliedAsAt, changedAfter, ensureKpiIndexes, kpiCollections, teamsAsAt, type KpiCollections } from './mongo-documents';
import { childrenOfUnit, figuresOfUnits, figuresUnderParent } from './mongo-kpi-queries';

/**
 * The KPI read store on MongoDB, without multi-document transactions. A batch is journaled, marked
 * pending on the checkpoint document, written with per-document high-water marks, and committed by
 * moving the checkpoint; an unfinished batch is completed from its journal by the next attempt or the
 * next process to open the store (JournaledBatches). The argument is in docs/adr/0004-kpi-read-models.md,
 * "MongoDB".
 */
export class MongoKpiReadStore implements KpiReadStore {
  private readonly batches: JournaledBatches<KpiDeltas>;

  private constructor(
    private readonly db: mongo.Db,
    private readonly c: KpiCollections,
    private readonly onClose: () => Promise<void>,
  ) {
    this.batches = new JournaledBatches(c, { validate: validateDeltas, write: (deltas, at) => writeGuarded(c, deltas, at) });
  }

  /** Creates the indexes and completes a batch left unfinished by a crash. `schema` names the model version. */
  static async open(db: mongo.Db, options: { schema?: string; onClose?: () => Promise<void> } = {}): Promise<MongoKpiReadStore> {
    const c = kpiCollections(db, requireSchemaName(options.schema ?? 'kpi_v1'));
    await ensureKpiIndexes(c);
    const store = new MongoKpiReadStore(db, c, options.onClose ?? (async () => undefined));
    await store.batches.completePending();
    return store;
  }

  checkpoint(): Promise<Checkpoint | undefined> {
    return this.batches.checkpoint();
  }

  applyBatch(deltas: KpiDeltas, checkpoint: Checkpoint): Promise<boolean> {
    return this.batches.apply(deltas, checkpoint);
  }

  // ── the projector's reads: the model as at the checkpoint, even while a batch is unfinished ─────────
  async appliedAmong(eventIds: readonly string[]): Promise<Set<string>> {
    // No ids: nothing to read, not even the checkpoint.
    return eventIds.length === 0 ? new Set() : appliedAsAt(this.c.applied, eventIds, await this.batches.at());
  }

  async teams(): Promise<TeamRecord[]> {
    return teamsAsAt(this.c.teams, await this.batches.at());
  }

  async contributionsOf(teamId: string): Promise<TeamContributions> {
    const at = await this.batches.at();
    const ofTeam = { view: 'current' as const, level: 'team' as const, unitKey: teamId };
    const [figures, refs] = await Promise.all([this.c.figures.find(ofTeam).toArray(), this.c.refs.find(ofTeam).toArray()]);
    const asAtCheckpoint = <D extends { appliedUpTo: BatchPosition; created: BatchPosition; lastDelta: number }>(doc: D, value: number) =>
      changedAfter(doc.created, at) ? undefined : changedAfter(doc.appliedUpTo, at) ? value - doc.lastDelta : value;
    const counts: TeamContributions['counts'][number][] = [];
    for (const doc of figures) {
      const value = asAtCheckpoint(doc, doc.value);
      if (value !== undefined) counts.push({ periodKind: doc.periodKind as PeriodKind, periodKey: doc.periodKey, indicator: doc.indicator, value });
    }
    const subjects: TeamContributions['refs'][number][] = [];
    for (const doc of refs) {
      const count = asAtCheckpoint(doc, doc.count);
      if (count !== undefined && count !== 0) subjects.push({ periodKind: doc.periodKind, periodKey: doc.periodKey, indicator: doc.indicator, subject: doc.subject, count });
    }
    return { counts, refs: subjects };
  }

  // ── queries: what is written so far (a batch in progress may be partly visible) ───────────────────
  figures(view: View, level: Level, unitKeys: readonly string[], period: string): Promise<UnitFigures[]> {
    return figuresOfUnits(this.c, view, level, unitKeys, period);
  }

  children(view: View, level: Level, unitKey: string, childLevel: Level, period: string): Promise<string[]> {
    return childrenOfUnit(this.c, view, level, unitKey, childLevel, period);
  }

  figuresUnder(query: FiguresUnderQuery): Promise<FiguresUnder> {
    return figuresUnderParent(this.c, query);
  }

  async health(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
