import { DynamicModule, Module } from '@nestjs/common';
import { EventStoreModule, type EventStoreOptions } from '@cdt/event-store';
import { PlatformModule, type CdtConfig } from '@cdt/platform';
import { ActivityFeatureModule } from '@cdt/activity-feature';
import { RegistryFeatureModule } from '@cdt/registry-feature';

export const SERVICE_NAME = 'activity-service';

/** The write side alone: registry and activities over /v1, on PostgreSQL or embedded PGlite. */
@Module({})
export class AppModule {
  static forRoot(config: CdtConfig, store?: EventStoreOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ serviceName: SERVICE_NAME, config }),
        EventStoreModule.forRoot(store ?? eventStoreOptionsOf(config)),
        RegistryFeatureModule,
        ActivityFeatureModule,
      ],
    };
  }
}

export function eventStoreOptionsOf(config: CdtConfig): EventStoreOptions {
  return config.databaseUrl === undefined
    ? { kind: 'embedded', dataDir: `${config.dataDir}/event-store` }
    : { kind: 'postgres', url: config.databaseUrl, adminUrl: config.databaseAdminUrl };
}
