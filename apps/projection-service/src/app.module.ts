import { DynamicModule, Inject, Module, OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, EventStoreModule, type EventStoreOptions, type ManagedEventStore } from '@cdt/event-store';
import { PlatformModule, READINESS_CHECKS, ReadinessChecks, type CdtConfig } from '@cdt/platform';
import { ProjectionFeatureModule, readModelOptionsOf } from '@cdt/projection-feature';

export const SERVICE_NAME = 'projection-service';

/** The KPI read side alone: the projection runner over the event log, on PostgreSQL or embedded PGlite. */
@Module({})
export class AppModule implements OnModuleInit {
  constructor(
    @Inject(READINESS_CHECKS) private readonly readiness: ReadinessChecks,
    @Inject(EVENT_STORE) private readonly store: ManagedEventStore,
  ) {}

  static forRoot(config: CdtConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ serviceName: SERVICE_NAME, config }),
        EventStoreModule.forRoot(eventStoreOptionsOf(config)),
        ProjectionFeatureModule.forRoot({ readModels: readModelOptionsOf(config) }),
      ],
    };
  }

  onModuleInit(): void {
    this.readiness.add('event-store', () => this.store.health());
  }
}

/** Embedded PGlite under the data directory, or PostgreSQL in server mode (migrating when the admin URL is set). */
export function eventStoreOptionsOf(config: CdtConfig): EventStoreOptions {
  return config.databaseUrl === undefined
    ? { kind: 'embedded', dataDir: `${config.dataDir}/event-store` }
    : { kind: 'postgres', url: config.databaseUrl, adminUrl: config.databaseAdminUrl };
}
