import { randomUUID } from 'node:crypto';
import { START, compareCheckpoints, openEventStore, type Checkpoint, type ManagedEventStore, type NewEvent, type RecordedEvent } from '@cdt/event-store';
import { describeWithEngine, kafkaBrokers } from '@cdt/testing';
import { Kafka, logLevel } from 'kafkajs';
import { fromBusMessage } from './kafka-message';
import { consumerGroupOf, kafkaEventFeed } from './kafka-event-feed';
import { KafkaRelay } from './kafka-relay';
import { partitionOffsets } from './kafka-topic';

const metadata = { occurredAt: '2026-03-02T09:00:00+07:00', actor: 'relay-spec', correlationId: 'c' };
const events = (count: number, from = 0): NewEvent[] =>
  Array.from({ length: count }, (_, i) => ({ eventId: randomUUID(), type: 'Counted', schemaVersion: 1, data: { n: from + i }, metadata }));

/** Appends `total` events over `streams` streams in small appends, concurrently per stream. */
async function appendSpread(store: ManagedEventStore, total: number, streams: number, from = 0): Promise<void> {
  const perStream = Math.ceil(total / streams);
  await Promise.all(
    Array.from({ length: streams }, async (_, s) => {
      for (let i = 0; i < perStream; i += 10) await store.append(`counter-${s}`, events(Math.min(10, perStream - i), from + s * perStream + i), 'any');
    }),
  );
}

describeWithEngine('kafka', 'Kafka relay and feed (event store → Kafka → reader)', () => {
  jest.setTimeout(120_000);
  // The broker answers "coordinator not available" while it creates __consumer_offsets; kafkajs logs
  // every retry. The assertions are the judge.
  const kafka = new Kafka({ clientId: 'relay-spec', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  let store: ManagedEventStore;
  let topic: string;
  const stops: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    store = await openEventStore({ kind: 'memory', pollIntervalMs: 50 });
    topic = `cdt-events-${randomUUID()}`;
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await store.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  const relay = async () => {
    const started = new KafkaRelay({ kafka, topic, eventStore: store, batchSize: 50 });
    await started.start();
    stops.push(() => started.stop());
    return started;
  };

  /** Reads the whole topic once, straight from Kafka: what is on the bus, in offset order. */
  const onTopic = async () => {
    const admin = kafka.admin();
    await admin.connect();
    const { high } = await partitionOffsets(admin, topic);
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId: `spec-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: ReturnType<typeof fromBusMessage>[] = [];
    await new Promise<void>((resolve) => {
      if (high === 0) resolve();
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(fromBusMessage(message));
          if (Number(message.offset) === high - 1) resolve();
        },
      });
    });
    await consumer.disconnect();
    return seen;
  };

  const read = (groupId: string, after: Checkpoint = START) => {
    const received: RecordedEvent[] = [];
    const checkpoints: Checkpoint[] = [];
    const errors: unknown[] = [];
    const subscription = kafkaEventFeed({ kafka, topic, groupId, eventStore: store }).subscribe({
      after,
      batchSize: 40,
      handler: async (batch, checkpoint) => {
        received.push(...batch);
        checkpoints.push(checkpoint);
      },
      onError: (error) => errors.push(error),
    });
    stops.push(() => subscription.stop());
    return { subscription, received, checkpoints, errors };
  };

  it('publishes every event once, in commit order, each naming the checkpoint before it', async () => {
    await appendSpread(store, 600, 6);
    const published = await relay();
    await published.caughtUp();
    await appendSpread(store, 200, 4, 10_000);
    await published.caughtUp();

    const log = (await store.readAll({ limit: 10_000 })).events;
    const bus = await onTopic();
    expect(bus.map((m) => m.event.eventId)).toEqual(log.map((e) => e.eventId));
    bus.forEach((message, i) => expect(message.previous).toEqual(i === 0 ? START : bus[i - 1].checkpoint));
    expect(published.status()).toMatchObject({ running: true, messagesSent: 800, published: log[log.length - 1].position });
  });

  it('resumes after a restart from the last message on the topic: nothing skipped, nothing repeated', async () => {
    await appendSpread(store, 300, 3);
    const first = await relay();
    await first.caughtUp();
    await first.stop();
    await appendSpread(store, 300, 3, 1_000);
    const second = await relay();
    await second.caughtUp();

    const log = (await store.readAll({ limit: 10_000 })).events;
    const bus = await onTopic();
    expect(bus.map((m) => m.event.eventId)).toEqual(log.map((e) => e.eventId));
    expect(second.status().messagesSent).toBe(300);
  });

  it('delivers the log to a reader exactly once, skipping what it already holds, live as events arrive', async () => {
    await appendSpread(store, 400, 4);
    await (await relay()).caughtUp();
    const log = (await store.readAll({ limit: 10_000 })).events;
    const holds = log[149].position;

    const reader = read(`spec-${randomUUID()}`, holds);
    await reader.subscription.caughtUp();
    expect(reader.received.map((e) => e.eventId)).toEqual(log.slice(150).map((e) => e.eventId));
    await appendSpread(store, 100, 2, 5_000);
    const head = await store.head();
    const deadline = Date.now() + 60_000;
    while (reader.received.length < 350 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));

    expect(reader.received).toHaveLength(350);
    expect(new Set(reader.received.map((e) => e.eventId)).size).toBe(350);
    expect(reader.received[0].data).toEqual(log[150].data);
    expect(reader.checkpoints.at(-1)).toEqual(head);
    reader.checkpoints.slice(1).forEach((checkpoint, i) => expect(compareCheckpoints(checkpoint, reader.checkpoints[i])).toBeGreaterThan(0));
    expect(reader.errors).toEqual([]);
  });

  it('rewinds when its consumer group is ahead of the reader (a rebuilt read model), missing nothing', async () => {
    await appendSpread(store, 200, 2);
    await (await relay()).caughtUp();
    const groupId = `spec-${randomUUID()}`;
    const first = read(groupId);
    await first.subscription.caughtUp();
    expect(first.received).toHaveLength(200);
    await first.subscription.stop();

    // Same group (its committed offset is at the end), but a reader that holds only the first 50.
    const log = (await store.readAll({ limit: 10_000 })).events;
    const second = read(groupId, log[49].position);
    await appendSpread(store, 10, 1, 9_000);
    const deadline = Date.now() + 60_000;
    while (second.received.length < 160 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));

    expect(second.received.map((e) => e.eventId)).toEqual((await store.readAll({ limit: 10_000 })).events.slice(50).map((e) => e.eventId));
    expect(second.errors).toEqual([]);
  });

  it('keeps its place in the group while one batch takes longer than the session timeout: no error, nothing lost or repeated', async () => {
    await appendSpread(store, 120, 2);
    await (await relay()).caughtUp();
    const log = (await store.readAll({ limit: 10_000 })).events;
    const groupId = `spec-${randomUUID()}`;
    const received: RecordedEvent[] = [];
    const errors: unknown[] = [];
    let calls = 0;
    // A read model write that outlasts the session (6 s, the broker's minimum): a slow database, a big batch.
    const subscription = kafkaEventFeed({ kafka, topic, groupId, eventStore: store, sessionTimeoutMs: 6_000 }).subscribe({
      batchSize: 40,
      handler: async (batch) => {
        if (calls++ === 0) await new Promise((resolve) => setTimeout(resolve, 10_000));
        received.push(...batch);
      },
      onError: (error) => errors.push(error),
    });
    stops.push(() => subscription.stop());
    const deadline = Date.now() + 60_000;
    while (received.length < 120 && errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));

    expect(errors).toEqual([]);
    expect(received.map((e) => e.eventId)).toEqual(log.map((e) => e.eventId));
    const admin = kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: consumerGroupOf(groupId, topic), topics: [topic] });
    await admin.disconnect();
    expect(committed.partitions[0].offset).toBe('120');
  });

  it('serves readers of different topics that were given the same group id (two deployments on one broker)', async () => {
    await appendSpread(store, 100, 2);
    const otherTopic = `cdt-events-${randomUUID()}`;
    stops.push(async () => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [otherTopic] }).catch(() => undefined);
      await admin.disconnect();
    });
    await (await relay()).caughtUp();
    const otherRelay = new KafkaRelay({ kafka, topic: otherTopic, eventStore: store, batchSize: 50 });
    await otherRelay.start();
    stops.push(() => otherRelay.stop());
    await otherRelay.caughtUp();
    const log = (await store.readAll({ limit: 10_000 })).events;

    // kafkajs' group leader assigns only the topics it subscribes to: in one group, one reader got nothing.
    const groupId = `spec-${randomUUID()}`;
    const readers = [topic, otherTopic].map((readTopic) => {
      const received: RecordedEvent[] = [];
      const errors: unknown[] = [];
      const subscription = kafkaEventFeed({ kafka, topic: readTopic, groupId, eventStore: store }).subscribe({
        batchSize: 40,
        handler: async (batch) => {
          received.push(...batch);
        },
        onError: (error) => errors.push(error),
      });
      stops.push(() => subscription.stop());
      return { readTopic, received, errors };
    });
    const deadline = Date.now() + 45_000;
    while (readers.some((r) => r.received.length < 100) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));

    for (const reader of readers) {
      expect({ topic: reader.readTopic, received: reader.received.length, errors: reader.errors }).toEqual({ topic: reader.readTopic, received: 100, errors: [] });
      expect(reader.received.map((e) => e.eventId)).toEqual(log.map((e) => e.eventId));
    }
  });
});
