import { DynamicModule, Module } from '@nestjs/common';
import { EventBusModule } from '@cdt/event-bus';
import type { EventStoreOptions } from '@cdt/event-store';
import { EventLogModule, PlatformModule, type CdtConfig } from '@cdt/platform';
import { ActivityFeatureModule } from '@cdt/activity-feature';
import { RegistryFeatureModule } from '@cdt/registry-feature';

export const SERVICE_NAME = 'activity-service';

/**
 * The write side alone: registry and activities over /v1, on PostgreSQL or embedded PGlite; with
 * CDT_KAFKA_BROKERS it also relays the log to the Kafka event topic (cluster mode).
 */
@Module({})
export class AppModule {
  static forRoot(config: CdtConfig, store?: EventStoreOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ serviceName: SERVICE_NAME, config }), EventLogModule.forRoot(config, store), EventBusModule.forRoot(config), RegistryFeatureModule, ActivityFeatureModule],
    };
  }
}
