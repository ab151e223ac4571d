import { DynamicModule, Inject, Module, OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, EventStoreModule, EventStoreOptions, ManagedEventStore } from '@cdt/event-store';
import { CdtConfig, PlatformModule, READINESS_CHECKS, ReadinessChecks } from '@cdt/platform';
import { ActivityFeatureModule } from '@cdt/activity-feature';
import { RegistryFeatureModule } from '@cdt/registry-feature';
import { ProjectionFeatureModule, readModelOptionsOf } from '@cdt/projection-feature';

export const SERVICE_NAME = 'standalone';

/** Embedded PGlite under the data directory, or PostgreSQL in server mode. */
export function eventStoreOptionsOf(config: CdtConfig): EventStoreOptions {
  return config.databaseUrl === undefined
    ? { kind: 'embedded', dataDir: `${config.dataDir}/event-store` }
    : { kind: 'postgres', url: config.databaseUrl, adminUrl: config.databaseAdminUrl };
}

/** The whole system in one process: `npm start`. */
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
        // ── Feature modules ─────────────────────────────────────────────────────────────────────
        // Registry, activities and projections are composed here, e.g. `RegistryFeatureModule`,
        // `ActivityFeatureModule`, `ProjectionFeatureModule`. Each brings its own controllers; the
        // platform (auth, problem+json, validation, health, metrics) and EVENT_STORE are global.
        // ────────────────────────────────────────────────────────────────────────────────────────
        RegistryFeatureModule,
        ActivityFeatureModule,
        ProjectionFeatureModule.forRoot({ readModels: readModelOptionsOf(config) }),
      ],
    };
  }

  onModuleInit(): void {
    this.readiness.add('event-store', () => this.store.health());
  }
}
