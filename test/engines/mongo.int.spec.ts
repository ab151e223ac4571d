import { FreshMongoDatabase, describeWithEngine, freshMongoDatabase } from '@cdt/testing';
import { Connection, Schema, createConnection } from 'mongoose';

interface Counter {
  unit: string;
  period: string;
  value: number;
}

const counterSchema = new Schema<Counter>({ unit: String, period: String, value: Number });
counterSchema.index({ unit: 1, period: 1 }, { unique: true });

describeWithEngine('mongo', 'MongoDB from the engines harness', () => {
  let database: FreshMongoDatabase;
  let connection: Connection;

  beforeAll(async () => {
    database = await freshMongoDatabase();
    connection = await createConnection(database.url, { serverSelectionTimeoutMS: 5_000 }).asPromise();
  });
  afterAll(async () => {
    await connection?.close();
    await database?.drop();
  });

  it('stores and finds documents in a database of its own', async () => {
    const Counters = connection.model<Counter>('Counter', counterSchema);
    await Counters.init();
    await Counters.create([{ unit: '26734', period: '2025-07', value: 3 }, { unit: '26734', period: '2025-08', value: 5 }]);
    const found = await Counters.find({ unit: '26734' }, { _id: 0, unit: 1, period: 1, value: 1 }).sort({ period: 1 }).lean();
    expect(found).toEqual([{ unit: '26734', period: '2025-07', value: 3 }, { unit: '26734', period: '2025-08', value: 5 }]);
    expect(connection.db?.databaseName).toBe(database.dbName);
  });

  it('enforces a unique index and applies a guarded upsert once', async () => {
    const Counters = connection.model<Counter>('Counter', counterSchema);
    await expect(Counters.create({ unit: '26734', period: '2025-07', value: 9 })).rejects.toMatchObject({ code: 11000 });
    // The read models' idempotence rests on this shape: update only while the stored value is behind.
    const guarded = () => Counters.updateOne({ unit: '26734', period: '2025-07', value: { $lt: 4 } }, { $inc: { value: 1 } });
    expect((await guarded()).modifiedCount).toBe(1);
    expect((await guarded()).modifiedCount).toBe(0);
    expect((await Counters.findOne({ unit: '26734', period: '2025-07' }).lean())?.value).toBe(4);
  });

  it('drops the database it was given', async () => {
    const other = await freshMongoDatabase();
    const probe = await createConnection(other.url, { serverSelectionTimeoutMS: 5_000 }).asPromise();
    try {
      await probe.collection('t').insertOne({ n: 1 });
      await other.drop();
      const { databases } = await probe.getClient().db().admin().listDatabases();
      expect(databases.map((db) => db.name)).not.toContain(other.dbName);
    } finally {
      await probe.close();
    }
  });
});
