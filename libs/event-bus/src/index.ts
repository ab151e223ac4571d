export { KafkaRelay, type KafkaRelayOptions, type RelayStatus, type BusLogger } from './lib/kafka-relay';
export { consumerGroupOf, kafkaEventFeed, type KafkaEventFeedOptions, type EventFeed } from './lib/kafka-event-feed';
export { ensureEventTopic, lastCheckpointOnTopic } from './lib/kafka-topic';
export { kafkaClient } from './lib/kafka-client';
export { EventBusModule } from './lib/event-bus.module';
