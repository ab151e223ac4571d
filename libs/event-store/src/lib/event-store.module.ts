import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { EVENT_STORE } from './event-store.port';
import { EventStoreOptions, ManagedEventStore, openEventStore } from './open-event-store';

/** Provides EVENT_STORE (a ManagedEventStore) and closes it when the application shuts down. */
@Module({})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: ManagedEventStore) {}

  static forRoot(options: EventStoreOptions): DynamicModule {
    return {
      module: EventStoreModule,
      global: true,
      providers: [{ provide: EVENT_STORE, useFactory: () => openEventStore(options) }],
      exports: [EVENT_STORE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
