import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { EVENT_STORE, EventStore } from './event-store.port';
import { EventStoreModule } from './event-store.module';

describe('EventStoreModule', () => {
  it('provides EVENT_STORE from config and closes it when the application shuts down', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [EventStoreModule.forRoot({ kind: 'memory' })] }).compile();
    const app = moduleRef.createNestApplication();
    app.enableShutdownHooks();
    await app.init();
    const store = app.get<EventStore>(EVENT_STORE);
    const metadata = { occurredAt: '2025-07-01T09:00:00+07:00', actor: 'module-spec', correlationId: randomUUID() };
    await store.append('team-1', [{ eventId: randomUUID(), type: 'TeamEstablished', schemaVersion: 1, data: {}, metadata }], 'no-stream');
    expect(await store.readStream('team-1')).toHaveLength(1);
    await app.close();
    await expect(store.readStream('team-1')).rejects.toThrow();
  });
});
