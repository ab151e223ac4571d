import { createConnection, type mongo } from 'mongoose';

/** One MongoDB connection: the database its URL names, and how to close it. */
export interface MongoDatabase {
  db: mongo.Db;
  close(): Promise<void>;
}

/** Connects to the database named by `url` (`mongodb://host:port/<database>`) through mongoose's connection. */
export async function connectMongoDatabase(url: string, options: { poolSize?: number; appName?: string } = {}): Promise<MongoDatabase> {
  const connection = await createConnection(url, { maxPoolSize: options.poolSize ?? 10, appName: options.appName ?? 'cdt-read-store' }).asPromise();
  const close = () => connection.close();
  if (!connection.db) {
    await close();
    throw new Error('the MongoDB connection has no database');
  }
  return { db: connection.db, close };
}

const versionPrefix = (schema: string) => `${schema}.`;

/** The model versions (collection prefixes such as `kpi_v2`) that have any collection in the database. */
export async function mongoKpiModelsPresent(db: mongo.Db, pattern: RegExp): Promise<string[]> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  const schemas = new Set<string>();
  for (const name of names) {
    const schema = name.split('.')[0];
    if (schema !== undefined && pattern.test(schema)) schemas.add(schema);
  }
  return [...schemas].sort();
}

/** Drops every collection of one model version (`<schema>.*`), the MongoDB counterpart of `drop schema … cascade`. */
export async function dropMongoKpiModel(db: mongo.Db, schema: string): Promise<void> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((name) => name.startsWith(versionPrefix(schema)));
  for (const name of names) {
    // Already gone (two droppers at once, or a drop resumed after a crash): nothing left to do.
    await db.dropCollection(name).catch((error: { codeName?: string }) => {
      if (error.codeName !== 'NamespaceNotFound') throw error;
    });
  }
}
