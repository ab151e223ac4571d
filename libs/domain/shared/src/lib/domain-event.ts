/**
 * The domain's view of an event: a past-tense type, its schema version and plain data. The write side
 * wraps it with eventId and metadata (see the event-store port). Every event type is at version 1
 * today; when one changes shape it gets its own constant and an upcaster, the others stay put.
 */
export const SCHEMA_VERSION_1 = 1 as const;
export type SchemaVersion1 = typeof SCHEMA_VERSION_1;

export interface DomainEvent<Type extends string, Data, Version extends number = SchemaVersion1> {
  readonly type: Type;
  readonly schemaVersion: Version;
  readonly data: Data;
}
