import { DynamicModule, Module } from '@nestjs/common';
import { EventBusModule } from '@cdt/event-bus';
import { EventLogModule, PlatformModule, type CdtConfig } from '@cdt/platform';
import { ActivityFeatureModule } from '@cdt/activity-feature';
import { RegistryFeatureModule } from '@cdt/registry-feature';
import { ProjectionFeatureModule, projectionOptionsOf } from '@cdt/projection-feature';
import { AuditFeatureModule } from '@cdt/audit-feature';
import { LedgerSealerModule } from '@cdt/ledger-integrity';
import { ScoringFeatureModule } from '@cdt/scoring-feature';

export const SERVICE_NAME = 'standalone';

/**
 * The whole system in one process: `npm start`. The platform (auth, problem+json, validation, health,
 * metrics) and EVENT_STORE are global; each feature module brings its own controllers.
 */
@Module({})
export class AppModule {
  static forRoot(config: CdtConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ serviceName: SERVICE_NAME, config }),
        EventLogModule.forRoot(config),
        EventBusModule.forRoot(config),
        RegistryFeatureModule,
        ActivityFeatureModule,
        ProjectionFeatureModule.forRoot(projectionOptionsOf(config)),
        AuditFeatureModule,
        LedgerSealerModule.forRoot({ ...config.ledgerSealer, actor: 'ledger-sealer' }),
        ScoringFeatureModule,
      ],
    };
  }
}
