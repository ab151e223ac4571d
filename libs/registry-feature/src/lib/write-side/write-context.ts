import type { EventMetadata } from '@cdt/event-store';

/** Who asked for a write and under which request: becomes the metadata of every event it appends. */
export interface WriteContext {
  /** The caller's subject (user id) or a system component. */
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId?: string;
}

export const metadataOf = (context: WriteContext, occurredAt: string, deviceId?: string): EventMetadata => ({
  occurredAt,
  actor: context.actor,
  correlationId: context.correlationId,
  ...(context.causationId === undefined ? {} : { causationId: context.causationId }),
  ...(deviceId === undefined ? {} : { deviceId }),
});

/** Registry facts take effect on a Vietnam calendar day; their occurredAt is that day's start in +07:00. */
export const startOfVietnamDay = (date: string): string => `${date}T00:00:00+07:00`;
