import { DynamicModule, Inject, Module, OnApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { loadAdminUnits } from '@cdt/admin-units';
import { kafkaClient, kafkaEventFeed } from '@cdt/event-bus';
import { EVENT_STORE, type EventStore } from '@cdt/event-store';
import { METRICS_REGISTRY, READINESS_CHECKS, ROOT_LOGGER, ReadinessChecks, type KafkaConfig } from '@cdt/platform';
import { KPI_READ_STORE } from '@cdt/read-store';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { KPI_HTTP_CONTROLLERS, KPI_HTTP_PROVIDERS } from './kpi-http';
import type { LiveKpiReadStore } from './read-models/live-kpi-read-store';
import { openLiveKpiReadStore, type ReadModelOptions } from './read-models/open-live-kpi-read-store';
import { adminUnitResolver } from './runner/admin-unit-resolver';
import { ProjectionRunner } from './runner/projection-runner';

export interface ProjectionFeatureOptions {
  readModels: ReadModelOptions;
  batchSize?: number;
  /** Read the log from the Kafka event topic (cluster mode) instead of the store's subscription. */
  kafka?: KafkaConfig;
}

/** The KPI projection's reader name on the event topic; its Kafka group is `consumerGroupOf(PROJECTION_CONSUMER_GROUP, topic)`. */
export const PROJECTION_CONSUMER_GROUP = 'cdt-projection-kpi';

/**
 * The KPI read side of one process: the /v1/kpi query API, KPI_READ_STORE (a LiveKpiReadStore on SQL
 * or MongoDB, always on the live model version, whatever KPI model it holds) and the ProjectionRunner that keeps it up with EVENT_STORE from
 * module init to shutdown.
 * Registers `projection` on /health (with its lag) and the cdt_projection_* metrics.
 */
@Module({})
export class ProjectionFeatureModule implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  constructor(
    private readonly runner: ProjectionRunner,
    @Inject(KPI_READ_STORE) private readonly readStore: LiveKpiReadStore,
    @Inject(READINESS_CHECKS) private readonly readiness: ReadinessChecks,
  ) {}

  static forRoot(options: ProjectionFeatureOptions): DynamicModule {
    return {
      module: ProjectionFeatureModule,
      controllers: KPI_HTTP_CONTROLLERS,
      providers: [
        ...KPI_HTTP_PROVIDERS,
        { provide: KPI_READ_STORE, useFactory: () => openLiveKpiReadStore(options.readModels) },
        {
          provide: ProjectionRunner,
          inject: [EVENT_STORE, KPI_READ_STORE, METRICS_REGISTRY, ROOT_LOGGER],
          useFactory: (eventStore: EventStore, readStore: LiveKpiReadStore, registry: Registry, logger: Logger) =>
            new ProjectionRunner({
              eventStore: options.kafka
                ? kafkaEventFeed({
                    kafka: kafkaClient(options.kafka, 'cdt-projection', logger.child({ component: 'kafka-feed' })),
                    topic: options.kafka.topic,
                    groupId: PROJECTION_CONSUMER_GROUP,
                    eventStore,
                    logger: logger.child({ component: 'kafka-feed' }),
                  })
                : eventStore,
              readStore,
              resolve: adminUnitResolver(loadAdminUnits()),
              batchSize: options.batchSize,
              // The Kafka feed commits its offset when the handler returns: batches are written before that.
              pipelineCatchUp: !options.kafka,
              registry,
              logger: logger.child({ component: 'projection' }),
            }),
        },
      ],
      exports: [KPI_READ_STORE, ProjectionRunner],
    };
  }

  async onModuleInit(): Promise<void> {
    this.readiness.add('projection', async () => {
      const status = await this.runner.status();
      if (status.state === 'retrying') throw new Error(`projection is retrying a failed batch (${status.lastError ?? 'unknown error'}); ${status.lagEvents} events behind`);
      return { state: status.state, version: status.version, model: status.model, lagEvents: status.lagEvents, lagSeconds: Math.round(status.lagSeconds) };
    });
    await this.runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.readStore.close();
  }
}
