import { DynamicModule, Module } from '@nestjs/common';
import type { EventStoreOptions } from '@cdt/event-store';
import { EventLogModule, PlatformModule, type CdtConfig } from '@cdt/platform';
import { ProjectionFeatureModule, readModelOptionsOf } from '@cdt/projection-feature';
import { ScoringFeatureModule } from '@cdt/scoring-feature';

export const SERVICE_NAME = 'scoring-service';

/**
 * Criteria sets, evaluation runs, rankings and awards (/v1/scoring) over the KPI read models. It runs
 * its own projection runner on them, so it can wait for the model to reach the log head before a run;
 * beside a projection-service on the same PostgreSQL read model both runners are safe (the checkpoint
 * row is locked per batch and applied event ids are skipped), only redundant.
 */
@Module({})
export class AppModule {
  static forRoot(config: CdtConfig, store?: EventStoreOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ serviceName: SERVICE_NAME, config }),
        EventLogModule.forRoot(config, store),
        ProjectionFeatureModule.forRoot({ readModels: readModelOptionsOf(config) }),
        ScoringFeatureModule,
      ],
    };
  }
}
