import { DynamicModule, Inject, Module, OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, EventStoreModule, type EventStoreOptions, type ManagedEventStore } from '@cdt/event-store';
import type { CdtConfig } from '../config/config';
import { READINESS_CHECKS, ReadinessChecks } from '../health/readiness';

/** Embedded PGlite under the data directory, or PostgreSQL in server mode (migrating when the admin URL is set). */
export function eventStoreOptionsOf(config: CdtConfig): EventStoreOptions {
  return config.databaseUrl === undefined
    ? { kind: 'embedded', dataDir: `${config.dataDir}/event-store` }
    : { kind: 'postgres', url: config.databaseUrl, adminUrl: config.databaseAdminUrl };
}

/**
 * The event log every app stands on, chosen in one place from validated config: provides EVENT_STORE
 * (global) and reports the store on /health. `options` overrides the config's choice (tests, benchmarks).
 */
@Module({})
export class EventLogModule implements OnModuleInit {
  constructor(
    @Inject(READINESS_CHECKS) private readonly readiness: ReadinessChecks,
    @Inject(EVENT_STORE) private readonly store: ManagedEventStore,
  ) {}

  static forRoot(config: CdtConfig, options?: EventStoreOptions): DynamicModule {
    return { module: EventLogModule, imports: [EventStoreModule.forRoot(options ?? eventStoreOptionsOf(config))] };
  }

  onModuleInit(): void {
    this.readiness.add('event-store', () => this.store.health());
  }
}
