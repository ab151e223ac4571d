import { dropMongoKpiModel, mongoKpiModelsPresent } from '@cdt/read-store';
import type { mongo } from 'mongoose';
import { BUILD_LEASE_MS, FIRST_VERSION, kpiModelOf, type ModelVersion, type VersionBuild } from './kpi-versions';
import { DEFAULT_KPI_MODEL, type KpiModel } from './kpi-model';
import type { KpiModelVersions } from './live-kpi-read-store';

const VERSION_NAME = /^kpi_v(\d+)$/;
const DOC_ID = 'kpi';
const MAX_ATTEMPTS = 50;

/**
 * The one document that holds every version and the live pointer. Each change replaces it only if
 * `rev` is still the one read (compare-and-set), so a switch moves the pointer and both statuses in
 * one atomic single-document write: no transaction, no replica set needed.
 */
interface VersionsDoc {
  _id: typeof DOC_ID;
  rev: number;
  active: string;
  switchedAt: string;
  versions: StoredVersion[];
}

/** As stored: versions written before models were told apart have no `model` (they hold model 1). */
type StoredVersion = Omit<ModelVersion, 'model'> & { model?: KpiModel };

/** The document as read, every version with its model. */
type ReadDoc = Omit<VersionsDoc, 'versions'> & { versions: ModelVersion[] };

interface Change<T> {
  next?: Omit<VersionsDoc, '_id' | 'rev'>;
  result: T;
}

/** `KpiVersions` on MongoDB: `kpi_meta.versions` holds the versions and the live pointer. */
export class MongoKpiVersions implements KpiModelVersions {
  private readonly meta: mongo.Collection<VersionsDoc>;

  constructor(private readonly db: mongo.Db) {
    this.meta = db.collection<VersionsDoc>('kpi_meta.versions');
  }

  /** Creates the versions document when missing; a fresh database's first version holds `firstModel`. */
  async ensure(firstModel: KpiModel = DEFAULT_KPI_MODEL, now: Date = new Date()): Promise<void> {
    const at = now.toISOString();
    const first: VersionsDoc = {
      _id: DOC_ID,
      rev: 0,
      active: FIRST_VERSION,
      switchedAt: at,
      versions: [{ schema: FIRST_VERSION, status: 'live', createdAt: at, heartbeatAt: at, model: firstModel }],
    };
    await this.meta.insertOne(first).catch((error: { code?: number }) => {
      if (error.code !== 11000) throw error; // another process created it first
    });
  }

  private async read(): Promise<ReadDoc> {
    const doc = await this.meta.findOne({ _id: DOC_ID });
    if (!doc) throw new Error('kpi_meta.versions is empty: MongoKpiVersions.ensure() was not run');
    // Versions recorded before models were told apart have no `model`: they hold model 1.
    return { ...doc, versions: doc.versions.map((v) => ({ ...v, model: kpiModelOf(v.model ?? 1) })) };
  }

  /** Reads, decides, and writes back only if nobody changed the document meanwhile; else decides again. */
  private async change<T>(decide: (doc: ReadDoc) => Change<T>): Promise<T> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const doc = await this.read();
      const { next, result } = decide(doc);
      if (!next) return result;
      const written = await this.meta.replaceOne({ _id: DOC_ID, rev: doc.rev }, { ...next, rev: doc.rev + 1 });
      if (written.matchedCount === 1) return result;
    }
    throw new Error(`kpi_meta.versions changed under every one of ${MAX_ATTEMPTS} attempts`);
  }

  async active(): Promise<string> {
    return (await this.read()).active;
  }

  /** The model a version holds; undefined for a schema the document does not record. */
  async modelOf(schema: string): Promise<KpiModel | undefined> {
    return (await this.read()).versions.find((v) => v.schema === schema)?.model;
  }

  async list(): Promise<ModelVersion[]> {
    return [...(await this.read()).versions].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** As `KpiVersions.startBuild`: resume the interrupted build of the same model, else retire it and start `kpi_v<n+1>`. */
  async startBuild(now: Date = new Date(), model?: KpiModel): Promise<VersionBuild> {
    const present = await mongoKpiModelsPresent(this.db, VERSION_NAME);
    return this.change<VersionBuild>(({ active, switchedAt, versions }) => {
      const building = versions.find((v) => v.status === 'building');
      if (building) {
        const age = now.getTime() - Date.parse(building.heartbeatAt);
        if (age < BUILD_LEASE_MS) throw new Error(`a rebuild of ${building.schema} is running (heartbeat ${Math.round(age / 1000)} s ago); wait for it or retry in ${Math.ceil((BUILD_LEASE_MS - age) / 1000)} s`);
        if (model === undefined || model === building.model) {
          const taken = versions.map((v) => (v === building ? { ...v, heartbeatAt: now.toISOString() } : v));
          return { next: { active, switchedAt, versions: taken }, result: { schema: building.schema, resumed: true, model: building.model } };
        }
      }
      const kept = versions.map((v) => (v === building ? { ...v, status: 'retired' as const } : v));
      const highest = Math.max(0, ...[...versions.map((v) => v.schema), ...present].map((name) => Number(VERSION_NAME.exec(name)?.[1] ?? 0)));
      const schema = `kpi_v${highest + 1}`;
      const at = now.toISOString();
      const newModel = model ?? versions.find((v) => v.schema === active)?.model ?? DEFAULT_KPI_MODEL;
      return {
        next: { active, switchedAt, versions: [...kept, { schema, status: 'building', createdAt: at, heartbeatAt: at, model: newModel }] },
        result: { schema, resumed: false, model: newModel },
      };
    });
  }

  private setHeartbeat(schema: string, heartbeatAt: string): Promise<void> {
    return this.change(({ active, switchedAt, versions }) => {
      if (!versions.some((v) => v.schema === schema && v.status === 'building')) return { result: undefined };
      return { next: { active, switchedAt, versions: versions.map((v) => (v.schema === schema ? { ...v, heartbeatAt } : v)) }, result: undefined };
    });
  }

  heartbeat(schema: string, now: Date = new Date()): Promise<void> {
    return this.setHeartbeat(schema, now.toISOString());
  }

  release(schema: string): Promise<void> {
    return this.setHeartbeat(schema, new Date(0).toISOString());
  }

  async switchTo(schema: string, now: Date = new Date()): Promise<string> {
    return this.change(({ active, versions }) => {
      if (active === schema) return { result: active };
      if (!versions.some((v) => v.schema === schema)) throw new Error(`cannot switch to ${schema}: not a version in kpi_meta.versions`);
      const status = (v: ModelVersion): ModelVersion['status'] => (v.schema === schema ? 'live' : v.schema === active ? 'retired' : v.status);
      return { next: { active: schema, switchedAt: now.toISOString(), versions: versions.map((v) => ({ ...v, status: status(v) })) }, result: active };
    });
  }

  /** Drops the collections of every retired version, then its entry (a crash in between: the next call drops again). */
  async dropRetired(): Promise<string[]> {
    const { active, versions } = await this.read();
    const retired = versions.filter((v) => v.status === 'retired' && v.schema !== active).map((v) => v.schema);
    for (const schema of retired) {
      if (!VERSION_NAME.test(schema)) throw new Error(`refusing to drop ${schema}: not a KPI model version`);
      await dropMongoKpiModel(this.db, schema);
      await this.change((doc) => ({ next: { active: doc.active, switchedAt: doc.switchedAt, versions: doc.versions.filter((v) => v.schema !== schema) }, result: undefined }));
    }
    return retired;
  }
}
