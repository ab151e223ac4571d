import { DynamicModule, Inject, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@cdt/event-store';
import { READINESS_CHECKS, ROOT_LOGGER, type CdtConfig, type ReadinessChecks } from '@cdt/platform';
import type { Logger } from 'pino';
import { kafkaClient } from './kafka-client';
import { KafkaRelay } from './kafka-relay';

/**
 * Cluster mode's relay, in whichever process is told to run it (CDT_KAFKA_BROKERS set and
 * CDT_KAFKA_RELAY not off): publishes EVENT_STORE to the event topic from start to shutdown, and
 * reports `kafka-relay` on /health (not ready while its last send failed).
 */
@Module({})
export class EventBusModule implements OnModuleInit, OnModuleDestroy {
  constructor(
    @Inject(KafkaRelay) private readonly relay: KafkaRelay,
    @Inject(READINESS_CHECKS) private readonly readiness: ReadinessChecks,
  ) {}

  static forRoot(config: CdtConfig): DynamicModule {
    const kafka = config.kafka;
    if (!kafka?.relay) return { module: EventBusDisabledModule };
    return {
      module: EventBusModule,
      providers: [
        {
          provide: KafkaRelay,
          inject: [EVENT_STORE, ROOT_LOGGER],
          useFactory: (eventStore: EventStore, root: Logger) => {
            const logger = root.child({ component: 'kafka-relay' });
            return new KafkaRelay({ kafka: kafkaClient(kafka, 'cdt-relay', logger), topic: kafka.topic, eventStore, logger });
          },
        },
      ],
      exports: [KafkaRelay],
    };
  }

  async onModuleInit(): Promise<void> {
    this.readiness.add('kafka-relay', async () => {
      const status = this.relay.status();
      if (status.lastError) throw new Error(`the Kafka relay is retrying: ${status.lastError}`);
      return { published: status.published, messagesSent: status.messagesSent };
    });
    await this.relay.start();
  }

  /** Before the store closes (that is an application-shutdown hook). */
  async onModuleDestroy(): Promise<void> {
    await this.relay.stop();
  }
}

/** No bus configured for this process: nothing to start. */
@Module({})
class EventBusDisabledModule {}
