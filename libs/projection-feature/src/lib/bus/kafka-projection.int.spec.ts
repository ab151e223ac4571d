import { randomUUID } from 'node:crypto';
import { loadAdminUnits } from '@cdt/admin-units';
import { KafkaRelay, kafkaEventFeed } from '@cdt/event-bus';
import { openEventStore, type ManagedEventStore } from '@cdt/event-store';
import { describeWithEngine, kafkaBrokers } from '@cdt/testing';
import { Kafka, logLevel } from 'kafkajs';
import { openReadModelDatabase } from '../read-models/read-model-database';
import { VersionedKpiReadStore } from '../read-models/versioned-kpi-read-store';
import { adminUnitResolver } from '../runner/admin-unit-resolver';
import { ProjectionRunner } from '../runner/projection-runner';
import { appendLog, generateLog } from '../testing/generated-log';
import { dumpModel, projectFromScratch } from '../testing/model-dump';

const resolve = adminUnitResolver(loadAdminUnits());

/**
 * Cluster mode end to end below HTTP: the log goes store → relay → Kafka → feed → ProjectionRunner, and
 * the model must equal a from-scratch projection of the store, also when the relay and the runner are
 * stopped and started again half-way (the relay resumes from the topic, the runner from its checkpoint).
 */
describeWithEngine('kafka', 'KPI projection fed from Kafka (cluster mode)', () => {
  jest.setTimeout(300_000);
  const kafka = new Kafka({ clientId: 'kafka-projection-spec', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const topic = `cdt-events-${randomUUID()}`;
  let eventStore: ManagedEventStore;
  let readStore: VersionedKpiReadStore;

  beforeAll(async () => {
    eventStore = await openEventStore({ kind: 'memory', pollIntervalMs: 50 });
    readStore = await VersionedKpiReadStore.open(await openReadModelDatabase({ kind: 'memory' }));
  });
  afterAll(async () => {
    await readStore?.close();
    await eventStore?.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  const relay = () => new KafkaRelay({ kafka, topic, eventStore, batchSize: 200 });
  const runner = () =>
    new ProjectionRunner({
      eventStore: kafkaEventFeed({ kafka, topic, groupId: 'cdt-projection-spec', eventStore }),
      readStore,
      resolve,
      batchSize: 150,
      backoff: { initialMs: 5, maxMs: 50 },
    });

  it('equals a from-scratch projection of the store, across relay and runner restarts', async () => {
    await appendLog(eventStore, generateLog({ teams: 8, activities: 300, seed: 11 }));
    const firstRelay = relay();
    await firstRelay.start();
    const firstRunner = runner();
    await firstRunner.start();
    await firstRelay.caughtUp();
    await firstRunner.waitUntilCaughtUp(120_000);
    await firstRunner.stop();
    await firstRelay.stop();

    // Written while neither runs: the relay must pick up exactly here, the runner from its checkpoint.
    await appendLog(eventStore, generateLog({ teams: 4, activities: 200, seed: 12 }));
    const secondRelay = relay();
    await secondRelay.start();
    const secondRunner = runner();
    await secondRunner.start();
    await appendLog(eventStore, generateLog({ teams: 2, activities: 100, seed: 13 }));
    await secondRelay.caughtUp();
    await secondRunner.waitUntilCaughtUp(120_000);
    await secondRunner.stop();
    await secondRelay.stop();

    const live = await dumpModel(readStore.db, 'kpi_v1');
    expect(live.figures.length).toBeGreaterThan(300);
    expect(live).toEqual(await projectFromScratch(eventStore, readStore, 'kpi_ref', resolve));
    const { events } = await eventStore.readAll({ limit: 100_000 });
    expect(firstRelay.status().messagesSent + secondRelay.status().messagesSent).toBe(events.length);
  });
});
