import type { Checkpoint } from '@cdt/event-store';
import type { Fact, Level, Model2Deltas, Model2Team, StockFact, TeamHistory, UnitFigures, View } from '@cdt/domain-kpi';
import type { mongo } from 'mongoose';
import type { KpiModel2Store } from '../model2/kpi-model2-store.port';
import { JournaledBatches, requireSchemaName } from '../mongo/journaled-batches';
import { appliedAsAt, changedAfter, teamsAsAt } from '../mongo/mongo-documents';
import { connectMongoDatabase } from '../mongo/mongo-model-admin';
import { ensureModel2Indexes, model2Collections, type Model2Collections, type StockFactDoc, type StoredFact } from './model2-documents';
import { writeModel2Guarded } from './model2-guarded-writes';
import { validateModel2Deltas } from './model2-validation';
import { childrenFromDocuments, figuresFromDocuments, figuresUnderFromDocuments } from './model2-queries';
import type { FiguresUnder, FiguresUnderQuery } from '../figures-under';

/**
 * KPI model 2 (ADR 0010) on MongoDB, without multi-document transactions: model 1's protocol (ADR 0004,
 * "MongoDB"), through the same JournaledBatches. A batch is journaled, marked pending on the checkpoint
 * document, written with per-document high-water marks (`writeModel2Guarded`), and committed by moving
 * the checkpoint last; whoever finds a batch unfinished (the same process retrying, or the next one to
 * open the store) completes it from its journal with the very deltas of the first attempt. The
 * projector's reads answer as at the checkpoint;
 * the queries read what is written so far and answer as `figuresOfModel2` / `childrenOfModel2`.
 */
export class MongoKpiModel2Store implements KpiModel2Store {
  private readonly batches: JournaledBatches<Model2Deltas>;

  private constructor(
    private readonly db: mongo.Db,
    private readonly c: Model2Collections,
    private readonly onClose: () => Promise<void>,
  ) {
    this.batches = new JournaledBatches(c, { validate: validateModel2Deltas, write: (deltas, at) => writeModel2Guarded(c, deltas, at) });
  }

  /**
   * A database (its connection stays the caller's) or a URL (`mongodb://host/db`, connected here and
   * closed by `close()`); `schema` names the model version (collection prefix, `kpi2_v1` by default).
   * Creates the indexes and completes a batch a crash left unfinished.
   */
  static async open(source: mongo.Db | string, options: { schema?: string; poolSize?: number; onClose?: () => Promise<void> } = {}): Promise<MongoKpiModel2Store> {
    const schema = requireSchemaName(options.schema ?? 'kpi2_v1');
    const connected = typeof source === 'string' ? await connectMongoDatabase(source, { poolSize: options.poolSize }) : undefined;
    const db = connected?.db ?? (source as mongo.Db);
    const onClose = async () => {
      await options.onClose?.();
      await connected?.close();
    };
    try {
      const c = model2Collections(db, schema);
      await ensureModel2Indexes(c);
      const store = new MongoKpiModel2Store(db, c, onClose);
      await store.batches.completePending();
      return store;
    } catch (error) {
      await connected?.close();
      throw error;
    }
  }

  checkpoint(): Promise<Checkpoint | undefined> {
    return this.batches.checkpoint();
  }

  applyBatch(deltas: Model2Deltas, checkpoint: Checkpoint): Promise<boolean> {
    return this.batches.apply(deltas, checkpoint);
  }

  // ── the projector's reads: the model as at the checkpoint, even while a batch is unfinished ─────────
  async appliedAmong(eventIds: readonly string[]): Promise<Set<string>> {
    // No ids: nothing to read, not even the checkpoint.
    return eventIds.length === 0 ? new Set() : appliedAsAt(this.c.applied, eventIds, await this.batches.at());
  }

  async teams(): Promise<Model2Team[]> {
    return teamsAsAt(this.c.teams, await this.batches.at());
  }

  /** The team's live facts and stock facts as at the checkpoint, each in write order. */
  async teamHistory(teamId: string): Promise<TeamHistory> {
    const at = await this.batches.at();
    const [factDocs, stockDocs] = await Promise.all([
      this.c.facts.find({ $or: [{ 'fact.teamId': teamId }, { 'prev.teamId': teamId }] }).toArray(),
      this.c.stockFacts.find({ teamId }).toArray(),
    ]);
    const facts: (Fact & { order: string })[] = [];
    for (const doc of factDocs) {
      const fact = changedAfter(doc.appliedUpTo, at) ? doc.prev : doc.fact;
      if (fact && fact.teamId === teamId) facts.push({ activityId: doc._id, ...fact });
    }
    const stocks = stockDocs.filter((doc) => !changedAfter(doc.created, at));
    const byOrder = (a: { order: string }, b: { order: string }) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0);
    return { facts: facts.sort(byOrder).map(factOf), stocks: stocks.sort(byOrder).map(stockOf) };
  }

  // ── queries: what is written so far (a batch in progress may be partly visible) ───────────────────
  figures(view: View, level: Level, unitKeys: readonly string[], period: string): Promise<UnitFigures[]> {
    return figuresFromDocuments(this.c, view, level, unitKeys, period);
  }

  children(view: View, level: Level, unitKey: string, childLevel: Level, period: string): Promise<string[]> {
    return childrenFromDocuments(this.c, view, level, unitKey, childLevel, period);
  }

  figuresUnder(query: FiguresUnderQuery): Promise<FiguresUnder> {
    return figuresUnderFromDocuments(this.c, query);
  }

  async health(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

/** The fact without the store's bookkeeping. */
export const factOf = ({ order: _order, ...fact }: StoredFact & { activityId: string }): Fact => fact;

export const stockOf = ({ _id, order: _order, created: _created, ...stock }: StockFactDoc): StockFact => stock;
