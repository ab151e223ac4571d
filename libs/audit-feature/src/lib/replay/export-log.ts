import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { compareCheckpoints, START, type Checkpoint, type EventStore, type RecordedEvent } from '@cdt/event-store';
import { readRange, readSeals, ZERO_HASH_HEX } from '@cdt/ledger-integrity';
import {
  eventsFileName,
  MANIFEST_FILE,
  REPLAY_FORMAT,
  SEAL_LEAVES_FILE,
  SEALS_FILE,
  STATE_FILE,
  type ReplayEventLine,
  type ReplayFile,
  type ReplayFilter,
  type ReplayManifest,
  type ReplayState,
  type SealLeafLine,
} from './replay-format';

export interface ExportProgress {
  events: number;
  position: Checkpoint;
  /** The checkpoint the export stops at (the head when it started, or `filter.to`). */
  to: Checkpoint;
  resumed: boolean;
}

export interface ExportOptions {
  filter?: ReplayFilter;
  /** Events per NDJSON file: the unit of resumption (default 100,000). */
  chunkEvents?: number;
  pageSize?: number;
  onProgress?: (progress: ExportProgress) => void;
  /** Aborting stops between two pages; the next run on the same directory resumes after the last whole file. */
  signal?: AbortSignal;
  now?: () => Date;
}

export interface ExportResult {
  manifest: ReplayManifest;
  resumed: boolean;
}

/** An NDJSON file written under a temporary name, hashed as written, renamed when complete. */
class NdjsonWriter {
  private readonly hash = createHash('sha256');
  lines = 0;
  bytes = 0;
  firstPosition?: Checkpoint;
  lastPosition?: Checkpoint;

  private constructor(
    private readonly dir: string,
    readonly name: string,
    readonly kind: ReplayFile['kind'],
    private readonly handle: Awaited<ReturnType<typeof open>>,
  ) {}

  static async open(dir: string, name: string, kind: ReplayFile['kind']): Promise<NdjsonWriter> {
    return new NdjsonWriter(dir, name, kind, await open(join(dir, `${name}.partial`), 'w'));
  }

  async write(lines: { text: string; position?: Checkpoint }[]): Promise<void> {
    if (lines.length === 0) return;
    const text = lines.map((line) => `${line.text}\n`).join('');
    const buffer = Buffer.from(text, 'utf8');
    this.hash.update(buffer);
    await this.handle.write(buffer);
    this.lines += lines.length;
    this.bytes += buffer.length;
    for (const { position } of lines) {
      if (!position) continue;
      this.firstPosition ??= position;
      this.lastPosition = position;
    }
  }

  async close(): Promise<ReplayFile> {
    await this.handle.sync();
    await this.handle.close();
    renameSync(join(this.dir, `${this.name}.partial`), join(this.dir, this.name));
    const file: ReplayFile = { name: this.name, kind: this.kind, lines: this.lines, bytes: this.bytes, sha256: this.hash.digest('hex') };
    return { ...file, ...(this.firstPosition ? { firstPosition: this.firstPosition } : {}), ...(this.lastPosition ? { lastPosition: this.lastPosition } : {}) };
  }
}

const writeAtomically = (file: string, value: unknown): void => {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
};

const sameFilter = (a: ReplayFilter, b: ReplayFilter): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Exports the log (or the part the filter selects) to `dir` as NDJSON, in the gap-safe log order,
 * events exactly as stored plus the hash each chains from; then the seals whose ranges overlap the
 * export and, for each, the chain hashes of the covered events the export left out, so every seal's
 * Merkle root can be recomputed from the directory alone. Resumable after the last complete file.
 */
export async function exportLog(store: EventStore, dir: string, options: ExportOptions = {}): Promise<ExportResult> {
  const filter = options.filter ?? {};
  const chunkEvents = options.chunkEvents ?? 100_000;
  const pageSize = options.pageSize ?? 5000;
  mkdirSync(dir, { recursive: true });
  if (existsSync(join(dir, MANIFEST_FILE))) throw new Error(`${dir} already holds a finished export (${MANIFEST_FILE}); choose another directory`);

  const statePath = join(dir, STATE_FILE);
  let state: ReplayState;
  let resumed = false;
  if (existsSync(statePath)) {
    state = JSON.parse(readFileSync(statePath, 'utf8')) as ReplayState;
    if (state.format !== REPLAY_FORMAT || !sameFilter(state.filter, filter) || state.chunkEvents !== chunkEvents) {
      throw new Error(`${dir} holds an unfinished export with other options (${JSON.stringify({ filter: state.filter, chunkEvents: state.chunkEvents })}); resume it with the same options or choose another directory`);
    }
    resumed = true;
    for (const name of readdirSync(dir)) if (name.endsWith('.partial')) rmSync(join(dir, name));
  } else {
    if (readdirSync(dir).length > 0) throw new Error(`${dir} is not empty; an export needs an empty directory (or its own unfinished export to resume)`);
    state = { format: REPLAY_FORMAT, filter, chunkEvents, after: filter.from ?? START, files: [], events: 0, streams: [] };
  }

  // Stop at the head seen now (or `to`): under constant writing the export still ends, at a stated point.
  const head = await store.head();
  const to = filter.to && compareCheckpoints(filter.to, head) < 0 ? filter.to : head;
  const streams = new Set(state.streams);
  const lastOfStream = new Map<string, { version: number; hash: string }>();
  const prevHashOf = async (event: RecordedEvent): Promise<string> => {
    if (event.streamVersion === 1) return ZERO_HASH_HEX;
    const known = lastOfStream.get(event.streamName);
    if (known?.version === event.streamVersion - 1) return known.hash;
    const [prev] = await store.readStream(event.streamName, { fromVersion: event.streamVersion - 1, limit: 1, raw: true });
    // '' says the predecessor is not in the store: the offline check reports the chain broken there.
    return prev?.streamVersion === event.streamVersion - 1 ? prev.hash : '';
  };
  const lineOf = async (event: RecordedEvent): Promise<{ text: string; position: Checkpoint }> => {
    const line: ReplayEventLine = { ...event, prevHash: await prevHashOf(event) };
    lastOfStream.set(event.streamName, { version: event.streamVersion, hash: event.hash });
    return { text: JSON.stringify(line), position: event.position };
  };

  const saveState = () => writeAtomically(statePath, { ...state, streams: [...streams] });
  let chunk: NdjsonWriter | undefined;
  let after = state.after;
  let done = compareCheckpoints(after, to) >= 0;
  while (!done) {
    options.signal?.throwIfAborted();
    const page = await store.readAll({
      after,
      limit: pageSize,
      raw: true,
      filter: { types: filter.types, streamPrefixes: filter.streamPrefix === undefined ? undefined : [filter.streamPrefix] },
    });
    let pending: { text: string; position: Checkpoint }[] = [];
    for (const event of page.events) {
      if (compareCheckpoints(event.position, to) > 0) {
        done = true;
        break;
      }
      chunk ??= await NdjsonWriter.open(dir, eventsFileName(state.files.length + 1), 'events');
      pending.push(await lineOf(event));
      streams.add(event.streamName);
      state.firstPosition ??= event.position;
      if (chunk.lines + pending.length === chunkEvents) {
        await chunk.write(pending);
        pending = [];
        state.files.push(await chunk.close());
        state.events += chunk.lines;
        state.after = event.position;
        chunk = undefined;
        saveState();
      }
    }
    if (chunk) await chunk.write(pending);
    after = page.checkpoint;
    if (page.atHead || page.events.length === 0 || compareCheckpoints(after, to) >= 0) done = true;
    options.onProgress?.({ events: state.events + (chunk?.lines ?? 0), position: after, to, resumed });
  }
  if (chunk) {
    state.files.push(await chunk.close());
    state.events += chunk.lines;
    chunk = undefined;
  }
  const lastPosition = [...state.files].reverse().find((f) => f.lastPosition)?.lastPosition;

  const { seals, sealLeaves } = await writeSeals(store, dir, filter, to, prevHashOf);
  state.files.push(seals, sealLeaves);
  const manifest: ReplayManifest = {
    format: REPLAY_FORMAT,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    filter,
    head: to,
    events: state.events,
    streams: streams.size,
    seals: seals.lines,
    sealLeaves: sealLeaves.lines,
    ...(state.firstPosition ? { firstPosition: state.firstPosition } : {}),
    ...(lastPosition ? { lastPosition } : {}),
    files: state.files,
  };
  writeAtomically(join(dir, MANIFEST_FILE), manifest);
  rmSync(statePath, { force: true });
  return { manifest, resumed };
}

/**
 * seals.ndjson: every LedgerSealed event whose range overlaps (from, to]. seal-leaves.ndjson: for each,
 * the chain hash of every covered event the export does not hold, so its root is recomputable offline.
 */
async function writeSeals(
  store: EventStore,
  dir: string,
  filter: ReplayFilter,
  to: Checkpoint,
  prevHashOf: (event: RecordedEvent) => Promise<string>,
): Promise<{ seals: ReplayFile; sealLeaves: ReplayFile }> {
  const lower = filter.from ?? START;
  const exported = (event: RecordedEvent): boolean =>
    compareCheckpoints(event.position, lower) > 0 &&
    compareCheckpoints(event.position, to) <= 0 &&
    (filter.types === undefined || filter.types.includes(event.type)) &&
    (filter.streamPrefix === undefined || event.streamName.startsWith(filter.streamPrefix));
  const unfiltered = filter.types === undefined && filter.streamPrefix === undefined;

  const sealsOut = await NdjsonWriter.open(dir, SEALS_FILE, 'seals');
  const leavesOut = await NdjsonWriter.open(dir, SEAL_LEAVES_FILE, 'seal-leaves');
  const { seals } = await readSeals(store);
  for (const seal of seals) {
    const { from, to: sealTo, sealNumber } = seal.data;
    if (compareCheckpoints(from, to) >= 0 || compareCheckpoints(sealTo, lower) <= 0) continue;
    await sealsOut.write([{ text: JSON.stringify({ ...seal.event, prevHash: await prevHashOf(seal.event) } satisfies ReplayEventLine), position: seal.event.position }]);
    if (unfiltered && compareCheckpoints(from, lower) >= 0 && compareCheckpoints(sealTo, to) <= 0) continue;
    const missing = (await readRange(store, from, sealTo)).filter((event) => !exported(event));
    await leavesOut.write(missing.map((event) => ({ text: JSON.stringify({ sealNumber, position: event.position, hash: event.hash } satisfies SealLeafLine), position: event.position })));
  }
  return { seals: await sealsOut.close(), sealLeaves: await leavesOut.close() };
}
