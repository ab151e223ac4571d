import type { Checkpoint, RecordedEvent } from '@cdt/event-store';

/**
 * How one event travels on the bus. The value is the event as the store delivered it (upcast, with its
 * position and chain hash); the headers repeat its checkpoint and the checkpoint of the message before
 * it on the topic, so a consumer can tell it continues exactly where its read model stopped.
 */
export interface BusMessage {
  key: string;
  value: string;
  timestamp: string;
  headers: { checkpoint: string; previous: string };
}

export const formatCheckpoint = (checkpoint: Checkpoint): string => `${checkpoint.transactionId}:${checkpoint.globalPosition}`;

export function parseCheckpoint(text: string): Checkpoint {
  const match = /^(\d+):(\d+)$/.exec(text);
  if (!match) throw new Error(`not a checkpoint on the bus: ${JSON.stringify(text)}`);
  return { transactionId: match[1], globalPosition: match[2] };
}

export function toBusMessage(event: RecordedEvent, previous: Checkpoint): BusMessage {
  return {
    key: event.streamName,
    value: JSON.stringify(event),
    timestamp: String(Date.parse(event.recordedAt)),
    headers: { checkpoint: formatCheckpoint(event.position), previous: formatCheckpoint(previous) },
  };
}

export interface ReceivedMessage {
  event: RecordedEvent;
  checkpoint: Checkpoint;
  previous: Checkpoint;
}

const header = (headers: Record<string, unknown> | undefined, name: string): string => {
  const value = headers?.[name];
  if (value === undefined) throw new Error(`bus message without a ${name} header`);
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
};

export function fromBusMessage(message: { value: Buffer | null; headers?: Record<string, unknown> }): ReceivedMessage {
  if (!message.value) throw new Error('bus message without a value');
  return {
    event: JSON.parse(message.value.toString('utf8')) as RecordedEvent,
    checkpoint: parseCheckpoint(header(message.headers, 'checkpoint')),
    previous: parseCheckpoint(header(message.headers, 'previous')),
  };
}
