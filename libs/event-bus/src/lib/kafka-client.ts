import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { KafkaConfig } from '@cdt/platform';
import type { BusLogger } from './kafka-relay';

/**
 * One kafkajs client for a process, logging through pino. kafkajs reports every retry while a broker
 * elects a coordinator as an error; those are warnings here, and the relay/feed report real failures.
 */
export function kafkaClient(config: KafkaConfig, clientId: string, logger: BusLogger): Kafka {
  return new Kafka({
    clientId,
    brokers: config.brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, ...fields } = log;
        const entry = { ...fields, namespace };
        if (level === logLevel.ERROR || level === logLevel.WARN) logger.warn(entry, `kafka: ${message}`);
        else logger.info(entry, `kafka: ${message}`);
      },
  });
}
