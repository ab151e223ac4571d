import { DynamicModule, Module } from '@nestjs/common';
import { EventLogModule, PlatformModule, type CdtConfig } from '@cdt/platform';
import { ProjectionFeatureModule, projectionOptionsOf } from '@cdt/projection-feature';

export const SERVICE_NAME = 'projection-service';

/**
 * The KPI read side alone: the projection runner over the event log (the store's subscription, or the
 * Kafka event topic with CDT_PROJECTION_SOURCE=kafka), on PostgreSQL or embedded PGlite.
 */
@Module({})
export class AppModule {
  static forRoot(config: CdtConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ serviceName: SERVICE_NAME, config }),
        EventLogModule.forRoot(config),
        ProjectionFeatureModule.forRoot(projectionOptionsOf(config)),
      ],
    };
  }
}
