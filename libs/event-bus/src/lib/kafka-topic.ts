import type { Admin, Kafka } from 'kafkajs';
import type { Checkpoint } from '@cdt/event-store';
import { START } from '@cdt/event-store';
import { fromBusMessage } from './kafka-message';

/**
 * The event topic has one partition on purpose: the read models keep one checkpoint in the log's commit
 * order, and one partition is the only way Kafka keeps a total order (ADR 0006). It also makes "the last
 * message" the relay's exact resume point.
 */
export async function ensureEventTopic(admin: Admin, topic: string): Promise<void> {
  const existing = await admin.listTopics();
  if (!existing.includes(topic)) {
    // Two starters racing: the loser gets "already exists", which is what it wanted.
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }).catch((error: Error) => {
      if (!/already exists/i.test(error.message)) throw error;
    });
  }
  const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
  if (metadata.partitions.length !== 1) {
    throw new Error(`topic ${topic} has ${metadata.partitions.length} partitions; the event topic must have exactly 1 to keep the log's order`);
  }
}

/** Offsets of the one partition: `low` is the oldest kept message, `high` the next to be written. */
export async function partitionOffsets(admin: Admin, topic: string): Promise<{ low: number; high: number }> {
  const [partition] = await admin.fetchTopicOffsets(topic);
  return { low: Number(partition.low), high: Number(partition.high) };
}

/** The checkpoint of the newest message on the topic (START when there is none). */
export async function lastCheckpointOnTopic(kafka: Kafka, admin: Admin, topic: string): Promise<Checkpoint> {
  const { low, high } = await partitionOffsets(admin, topic);
  return high <= low ? START : checkpointAt(kafka, topic, high - 1);
}

/** The checkpoint of the message at `offset`, read by a throw-away consumer. */
export async function checkpointAt(kafka: Kafka, topic: string, offset: number): Promise<Checkpoint> {
  const consumer = kafka.consumer({ groupId: `cdt-probe-${process.pid}-${Date.now()}-${offset}`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: false });
    const found = new Promise<Checkpoint>((resolve, reject) => {
      void consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ message }) => {
            if (Number(message.offset) === offset) resolve(fromBusMessage(message).checkpoint);
          },
        })
        .catch(reject);
    });
    consumer.seek({ topic, partition: 0, offset: String(offset) });
    return await found;
  } finally {
    await consumer.disconnect();
  }
}
