import type { Checkpoint, RecordedEvent } from '@cdt/event-store';

/**
 * The layout of a `cdt audit replay` export (docs/operations/audit.md, "Replay"): NDJSON files in log
 * order, the seals that cover them, the chain hashes the seals need that the export left out, and a
 * manifest with counts, bounds and the sha-256 of every file. Everything a verifier needs offline.
 */
export const REPLAY_FORMAT = 'cdt-replay/1';
export const MANIFEST_FILE = 'manifest.json';
export const STATE_FILE = '.replay-state.json';
export const SEALS_FILE = 'seals.ndjson';
export const SEAL_LEAVES_FILE = 'seal-leaves.ndjson';
export const eventsFileName = (n: number): string => `events-${String(n).padStart(6, '0')}.ndjson`;

/** One line of an events file: the event exactly as stored, plus the chain hash it chains from. */
export interface ReplayEventLine extends RecordedEvent {
  /** Chain hash of version `streamVersion - 1` of the stream (64 zeros for version 1). */
  prevHash: string;
}

/** One line of seal-leaves.ndjson: an event a seal covers that the export does not hold (filtered out or outside its bounds). */
export interface SealLeafLine {
  sealNumber: number;
  position: Checkpoint;
  /** Its chain hash: the leaf is sha256(0x00 ‖ hash). */
  hash: string;
}

export interface ReplayFilter {
  streamPrefix?: string;
  types?: string[];
  /** Exclusive: export events after this checkpoint. */
  from?: Checkpoint;
  /** Inclusive: export events up to this checkpoint. */
  to?: Checkpoint;
}

export interface ReplayFile {
  name: string;
  kind: 'events' | 'seals' | 'seal-leaves';
  lines: number;
  bytes: number;
  sha256: string;
  firstPosition?: Checkpoint;
  lastPosition?: Checkpoint;
}

export interface ReplayManifest {
  format: typeof REPLAY_FORMAT;
  createdAt: string;
  filter: ReplayFilter;
  /** The log head when the export finished reading: events after it are not in the export. */
  head: Checkpoint;
  events: number;
  streams: number;
  seals: number;
  sealLeaves: number;
  firstPosition?: Checkpoint;
  lastPosition?: Checkpoint;
  files: ReplayFile[];
}

/** Progress of an unfinished export, rewritten after each completed events file. */
export interface ReplayState {
  format: typeof REPLAY_FORMAT;
  filter: ReplayFilter;
  chunkEvents: number;
  after: Checkpoint;
  files: ReplayFile[];
  events: number;
  streams: string[];
  firstPosition?: Checkpoint;
}

export const checkpointText = (c: Checkpoint): string => `${c.transactionId}/${c.globalPosition}`;

export function parseCheckpoint(text: string): Checkpoint {
  const match = /^(\d{1,20})\/(\d{1,20})$/.exec(text);
  if (!match) throw new Error(`expected a checkpoint <transactionId>/<globalPosition>, got ${text}`);
  return { transactionId: match[1], globalPosition: match[2] };
}
