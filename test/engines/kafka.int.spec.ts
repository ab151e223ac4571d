import { randomUUID } from 'node:crypto';
import { describeWithEngine, kafkaBrokers } from '@cdt/testing';
import { Admin, Consumer, Kafka, Partitioners, Producer, logLevel } from 'kafkajs';

describeWithEngine('kafka', 'Kafka from the engines harness', () => {
  const topic = `cdt-harness-${randomUUID()}`;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    // Silent client: a fresh broker answers "coordinator not available" a few times while it creates
    // __consumer_offsets, and kafkajs logs each retry as an error. The assertions below are the judge.
    kafka = new Kafka({ clientId: 'engines-harness-spec', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
    await Promise.all([admin.connect(), producer.connect()]);
  });
  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.disconnect()));
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
  });

  it('creates a topic with the partitions asked for', async () => {
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(true);
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    expect(metadata.partitions).toHaveLength(3);
  });

  it('delivers every produced message, in order per key, to a consumer group, and commits its offsets', async () => {
    const groupId = `cdt-harness-${randomUUID()}`;
    const sent = Array.from({ length: 30 }, (_, i) => ({ key: `team-${i % 3}`, value: JSON.stringify({ n: i }) }));
    await producer.send({ topic, messages: sent });

    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: { key: string; n: number }[] = [];
    const allReceived = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push({ key: String(message.key), n: (JSON.parse(String(message.value)) as { n: number }).n });
          if (received.length === sent.length) resolve();
        },
      });
    });
    await allReceived;
    // The group commits after each batch it handled: wait for the last one, then leave.
    const committedTotal = async () => {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return offsets.partitions.reduce((sum, partition) => sum + Math.max(0, Number(partition.offset)), 0);
    };
    const deadline = Date.now() + 10_000;
    while ((await committedTotal()) < sent.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await consumer.stop();

    expect(received.map((message) => message.n).sort((a, b) => a - b)).toEqual(sent.map((_, i) => i));
    for (const key of ['team-0', 'team-1', 'team-2']) {
      const ns = received.filter((message) => message.key === key).map((message) => message.n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
    expect(await committedTotal()).toBe(sent.length);
  });
});
