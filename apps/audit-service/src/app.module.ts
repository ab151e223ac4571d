import { DynamicModule, Module } from '@nestjs/common';
import { AuditFeatureModule } from '@cdt/audit-feature';
import type { EventStoreOptions } from '@cdt/event-store';
import { EventLogModule, PlatformModule, type CdtConfig } from '@cdt/platform';

export const SERVICE_NAME = 'audit-service';

/**
 * The auditors' service: `/v1/audit` (stream histories, a team as of a day, the global log by team,
 * unit, type and time) over the event log, read-only, for the `auditor` and `ministry` roles. The
 * `cdt` command line (cli.ts) is the same app's offline side: seal, prove, verify, replay.
 */
@Module({})
export class AppModule {
  static forRoot(config: CdtConfig, eventStore?: EventStoreOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ serviceName: SERVICE_NAME, config }), EventLogModule.forRoot(config, eventStore), AuditFeatureModule],
    };
  }
}
