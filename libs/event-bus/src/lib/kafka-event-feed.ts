import type { Admin, Consumer, Kafka } from 'kafkajs';
import { START, compareCheckpoints, type Checkpoint, type EventStore, type RecordedEvent, type SubscribeOptions, type Subscription } from '@cdt/event-store';
import { fromBusMessage } from './kafka-message';
import type { BusLogger } from './kafka-relay';
import { checkpointAt, partitionOffsets } from './kafka-topic';

export interface KafkaEventFeedOptions {
  kafka: Kafka;
  topic: string;
  /**
   * One consumer group per reader (e.g. per projection service); offsets are only a starting hint. The
   * Kafka group is this name scoped to the topic (`consumerGroupOf`).
   */
  groupId: string;
  /** `head` and `readAll` (lag estimates) still ask the store: the bus carries events, not the head. */
  eventStore: Pick<EventStore, 'head' | 'readAll'>;
  logger?: BusLogger;
  /**
   * The broker drops a member it has not heard from for this long (default 30 s, at least the broker's
   * group.min.session.timeout.ms, 6 s by default); the feed heartbeats while a batch is being handled.
   */
  sessionTimeoutMs?: number;
}

export type EventFeed = Pick<EventStore, 'subscribe' | 'head' | 'readAll'>;

/**
 * The Kafka consumer group a feed with `groupId` uses on `topic`. Scoped to the topic because kafkajs'
 * group leader assigns only the topics it subscribes to itself: two readers of different topics in one
 * group (two deployments on one broker, two test runs) left one of them without a partition, reading
 * nothing, for as long as both were in the group.
 */
export const consumerGroupOf = (groupId: string, topic: string): string => `${groupId}.${topic}`;

/**
 * The event log as read from Kafka, shaped like the store's subscription so a ProjectionRunner can run on
 * either. Delivery is exactly once per reader: messages at or before the reader's checkpoint are skipped
 * (redelivery, a second relay), and each message names the checkpoint before it, so a consumer group
 * whose committed offset is ahead of the reader's checkpoint (a rebuilt read model) notices the gap and
 * rewinds to the oldest kept message rather than miss events.
 */
export function kafkaEventFeed(options: KafkaEventFeedOptions): EventFeed {
  return {
    head: () => options.eventStore.head(),
    readAll: (readOptions) => options.eventStore.readAll(readOptions),
    subscribe: (subscribeOptions) => new KafkaSubscription(options, subscribeOptions),
  };
}

class KafkaSubscription implements Subscription {
  private readonly log: BusLogger;
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private delivered: Checkpoint;
  /** The next offset to read: everything before it is delivered or skipped. */
  private nextOffset = 0;
  private failed = false;
  private stopped = false;
  private readonly started: Promise<void>;
  private readonly heartbeatMs: number;

  constructor(
    private readonly feed: KafkaEventFeedOptions,
    private readonly options: SubscribeOptions,
  ) {
    if (options.filter) throw new Error('the Kafka feed delivers the whole log; filter in the handler');
    this.log = feed.logger ?? { info: () => undefined, warn: () => undefined, error: () => undefined };
    this.delivered = options.after ?? START;
    const sessionTimeout = feed.sessionTimeoutMs ?? 30_000;
    this.heartbeatMs = Math.max(500, Math.floor(sessionTimeout / 10));
    this.consumer = feed.kafka.consumer({ groupId: consumerGroupOf(feed.groupId, feed.topic), sessionTimeout, heartbeatInterval: this.heartbeatMs });
    this.admin = feed.kafka.admin();
    this.started = this.run().catch((error: unknown) => this.fail(error));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.started;
    await this.consumer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }

  async caughtUp(): Promise<void> {
    await this.started;
    const { high } = await partitionOffsets(this.admin, this.feed.topic);
    while (this.nextOffset < high) {
      if (this.stopped || this.failed) throw new Error('the Kafka subscription stopped before catching up');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private async run(): Promise<void> {
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => this.log.info({ memberId: payload.memberId, assignment: payload.memberAssignment }, 'Kafka feed: joined the consumer group'));
    this.consumer.on(CRASH, ({ payload }) => this.log.warn({ err: payload.error, restart: payload.restart }, 'Kafka feed: the consumer crashed'));
    await Promise.all([this.consumer.connect(), this.admin.connect()]);
    const start = await this.startOffset();
    this.nextOffset = start;
    await this.consumer.subscribe({ topic: this.feed.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        let chunk: RecordedEvent[] = [];
        let chunkEnd: { checkpoint: Checkpoint; offset: string } | undefined;
        const flush = async () => {
          if (!chunkEnd) return;
          const startedAt = Date.now();
          const { checkpoint } = chunkEnd;
          if (chunk.length > 0) await this.whileBeating(heartbeat, () => this.options.handler(chunk, checkpoint));
          this.log.debug?.({ events: chunk.length, offset: chunkEnd.offset, checkpoint: chunkEnd.checkpoint, handlerMs: Date.now() - startedAt }, 'Kafka feed: chunk delivered');
          this.delivered = chunkEnd.checkpoint;
          resolveOffset(chunkEnd.offset);
          this.nextOffset = Number(chunkEnd.offset) + 1;
          await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(this.nextOffset) }]);
          await heartbeat();
          chunk = [];
          chunkEnd = undefined;
        };
        try {
          for (const message of batch.messages) {
            if (this.stopped || this.failed || !isRunning() || isStale()) return;
            const received = fromBusMessage(message);
            const known = compareCheckpoints(received.checkpoint, chunkEnd?.checkpoint ?? this.delivered) <= 0;
            if (!known && compareCheckpoints(received.previous, chunkEnd?.checkpoint ?? this.delivered) > 0) {
              await flush();
              await this.rewind(received.previous);
              return;
            }
            if (!known) chunk.push(received.event);
            chunkEnd = { checkpoint: known ? (chunkEnd?.checkpoint ?? this.delivered) : received.checkpoint, offset: message.offset };
            if (chunk.length >= (this.options.batchSize ?? 1000)) await flush();
          }
          await flush();
        } catch (error) {
          this.fail(error);
        }
      },
    });
    this.consumer.seek({ topic: this.feed.topic, partition: 0, offset: String(start) });
  }

  /**
   * Runs `work` (the reader's handler) while heartbeating: kafkajs heartbeats only between batches or
   * when asked, so a handler slower than the session timeout (a big batch on a slow read model, a batch
   * being retried with back-off) would get this member dropped from the group, its offset commit
   * refused ("The coordinator is not aware of this member") and the subscription failed.
   */
  private async whileBeating<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    let beating: Promise<void> | undefined;
    const timer = setInterval(() => {
      // One heartbeat in flight at a time; a failed one is retried at the next tick (a rebalance shows at the commit).
      beating ??= heartbeat()
        .catch((error: unknown) => this.log.warn({ err: error }, 'Kafka feed: heartbeat during a slow batch failed'))
        .finally(() => (beating = undefined));
    }, this.heartbeatMs);
    try {
      return await work();
    } finally {
      clearInterval(timer);
      await beating;
    }
  }

  /**
   * Where to begin: the group's committed offset when the message just before it is one this reader
   * already holds (the usual restart), else the oldest kept message (a new group, or a read model
   * rebuilt behind the group).
   */
  private async startOffset(): Promise<number> {
    const { low, high } = await partitionOffsets(this.admin, this.feed.topic);
    const [committed] = await this.admin.fetchOffsets({ groupId: consumerGroupOf(this.feed.groupId, this.feed.topic), topics: [this.feed.topic] });
    const hint = Number(committed?.partitions[0]?.offset ?? -1);
    if (hint <= low || hint > high) return low;
    const before = await checkpointAt(this.feed.kafka, this.feed.topic, hint - 1);
    return compareCheckpoints(before, this.delivered) <= 0 ? hint : low;
  }

  /** The group's offset was ahead of this reader: start again from the oldest kept message. */
  private async rewind(missingUpTo: Checkpoint): Promise<void> {
    const { low } = await partitionOffsets(this.admin, this.feed.topic);
    this.log.warn({ delivered: this.delivered, missingUpTo, rewindTo: low }, 'Kafka feed: the consumer group was ahead of the read model; rewinding');
    if (this.rewound) {
      throw new Error(`events after ${JSON.stringify(this.delivered)} up to ${JSON.stringify(missingUpTo)} are no longer on the topic (retention); rebuild from the store`);
    }
    this.rewound = true;
    this.nextOffset = low;
    this.consumer.seek({ topic: this.feed.topic, partition: 0, offset: String(low) });
  }

  private rewound = false;

  private fail(error: unknown): void {
    if (this.stopped || this.failed) return;
    this.failed = true;
    this.options.onError?.(error);
  }
}
