import type { Admin, Kafka, Producer } from 'kafkajs';
import { START, type Checkpoint, type EventStore, type RecordedEvent, type Subscription } from '@cdt/event-store';
import { toBusMessage } from './kafka-message';
import { ensureEventTopic, lastCheckpointOnTopic } from './kafka-topic';

export interface BusLogger {
  /** Per-chunk detail (offsets, handler time); pino's debug level. */
  debug?(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const SILENT: BusLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface KafkaRelayOptions {
  kafka: Kafka;
  topic: string;
  eventStore: Pick<EventStore, 'subscribe'>;
  batchSize?: number;
  /** Delay before resubscribing after a failure, ms. */
  retryMs?: number;
  logger?: BusLogger;
}

export interface RelayStatus {
  running: boolean;
  /** The newest checkpoint Kafka has acknowledged. */
  published: Checkpoint;
  messagesSent: number;
  lastError?: string;
}

/**
 * Publishes the event log to Kafka in commit order: a gap-safe subscription on the store, each batch sent
 * with acks from all in-sync replicas by an idempotent producer. It resumes from the checkpoint of the
 * last message on the topic, so a relay killed mid-batch neither skips nor repeats an event once it is
 * back (the topic is its own checkpoint; ADR 0006). Consumers still skip what they already hold, so a
 * second relay started by mistake can only duplicate, never lose.
 */
export class KafkaRelay {
  private readonly log: BusLogger;
  private admin?: Admin;
  private producer?: Producer;
  private subscription?: Subscription;
  private published: Checkpoint = START;
  private messagesSent = 0;
  private running = false;
  private lastError?: string;
  private retryTimer?: NodeJS.Timeout;

  constructor(private readonly options: KafkaRelayOptions) {
    this.log = options.logger ?? SILENT;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.admin = this.options.kafka.admin();
    this.producer = this.options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await Promise.all([this.admin.connect(), this.producer.connect()]);
    await ensureEventTopic(this.admin, this.options.topic);
    this.published = await lastCheckpointOnTopic(this.options.kafka, this.admin, this.options.topic);
    this.running = true;
    this.subscribe();
    this.log.info({ topic: this.options.topic, resumeAfter: this.published }, 'Kafka relay started');
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    await this.subscription?.stop();
    this.subscription = undefined;
    await this.producer?.disconnect();
    await this.admin?.disconnect();
  }

  status(): RelayStatus {
    return { running: this.running, published: this.published, messagesSent: this.messagesSent, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  /** Resolves when everything the store shows at call time is on Kafka. */
  async caughtUp(): Promise<void> {
    await this.subscription?.caughtUp();
  }

  private subscribe(): void {
    this.subscription = this.options.eventStore.subscribe({
      after: this.published,
      batchSize: this.options.batchSize ?? 1000,
      handler: (events) => this.send(events),
      onError: (error) => this.retry(error),
    });
  }

  private async send(events: RecordedEvent[]): Promise<void> {
    const producer = this.producer;
    if (!producer || events.length === 0) return;
    let previous = this.published;
    const messages = events.map((event) => {
      const message = toBusMessage(event, previous);
      previous = event.position;
      return message;
    });
    await producer.send({ topic: this.options.topic, acks: -1, messages });
    this.published = previous;
    this.messagesSent += messages.length;
    this.lastError = undefined;
  }

  /** A failed send fails the subscription; resubscribe from what Kafka acknowledged. */
  private retry(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    this.log.error({ err: error, published: this.published }, 'Kafka relay failed; resubscribing from the last acknowledged checkpoint');
    const subscription = this.subscription;
    this.subscription = undefined;
    this.retryTimer = setTimeout(() => {
      void (async () => {
        await subscription?.stop().catch(() => undefined);
        if (this.running) this.subscribe();
      })();
    }, this.options.retryMs ?? 1000);
  }
}
