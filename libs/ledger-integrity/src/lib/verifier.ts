import { Checkpoint, EventStore, START } from '@cdt/event-store';
import { LEDGER_STREAM } from '@cdt/domain-shared';
import { readSeals, StoredSeal, ZERO_HASH_HEX } from './ledger-log';
import { merkleRootOfBinary } from './merkle';
import { INDEX_LEAF_BYTES } from './seal';
import { referenceChainHash, type HashBatch, type HashedBatch } from './event-hasher';
import { defaultHashWorkers, HashPool } from './hash-pool';
import { scanPage, type ScanPage, type ScannedEvent } from './log-scan';

export type FindingKind = 'content-digest-mismatch' | 'chain-break' | 'missing-event' | 'unexpected-event' | 'order' | 'seal-mismatch';

/** One thing wrong in storage, located as exactly as the evidence allows. */
export interface Finding {
  kind: FindingKind;
  /** Where in the log: the event's position, or the sealed position of a missing event (transactionId unknown: ''). */
  position?: Checkpoint;
  eventId?: string;
  streamName?: string;
  streamVersion?: number;
  sealNumber?: number;
  detail: string;
}

/** Written at each verified seal boundary; `--from` resumes after it. */
export interface VerifyCheckpoint {
  after: Checkpoint;
  sealNumber: number;
  eventsChecked: number;
}

export interface VerifyOptions {
  pageSize?: number;
  resume?: VerifyCheckpoint;
  /** Called after each page with the events checked so far (this run and before the resume point). */
  onProgress?: (eventsChecked: number, position: Checkpoint) => void;
  /** Called at each seal boundary passed with no finding so far. */
  onCheckpoint?: (checkpoint: VerifyCheckpoint) => void;
  /** Findings kept in the report (the count goes on). */
  maxFindings?: number;
  /**
   * Worker threads that hash (default: the cores beyond two, at most 4; none on 2 cores). 0 hashes on
   * this thread. Workers start only once the log is longer than one page.
   */
  workers?: number;
}

export interface VerifyReport {
  ok: boolean;
  eventsChecked: number;
  streamsChecked: number;
  sealsChecked: number;
  /** Events after the last seal: covered by their stream chains and the streams table only. */
  unsealedEvents: number;
  /** The earliest bad thing in log order. */
  firstBad?: Finding;
  findings: Finding[];
  findingCount: number;
}

/** Hashes on the hot path are binary (latin1) strings of 32 bytes; hex only goes into findings. */
const GENESIS = '\0'.repeat(32);
const hex = (binary: string): string => Buffer.from(binary, 'latin1').toString('hex');

interface StreamState {
  version: number;
  /** The stored chain hash of the newest event walked, binary string. */
  hash: string;
  /** This stream already has a finding: a following hash mismatch is a consequence, a chain break. */
  broken: boolean;
  lastWalkIndex: number;
  /** Versions skipped so far, with the event that skipped them: missing unless they turn up later. */
  gaps: { from: number; to: number; at: number; event: Omit<Finding, 'kind' | 'detail'> & { position: Checkpoint; eventId: string } }[];
}

interface SealState {
  seal: StoredSeal;
  /** Global position (decimal) and leaf prefix (binary string) of each sealed event. */
  entries: { globalPosition: string; leafPrefix: string }[];
  /**
   * global position → ordinal in the seal's index, and leaf prefix → ordinal (to tell a moved event from
   * a rewritten one): built the first time an event is not the next one the seal lists.
   */
  lookup?: { ordinals: Map<string, number>; byLeaf: Map<string, number> };
  /** walk index of the event matched to each ordinal (-1: not seen) */
  seenAt: Float64Array;
  leaves: string[];
  /** The last event matched in sealed order, and the ordinal matched before it. */
  prev: { ordinal: number; at: number; event?: ScannedEvent };
  prev2Ordinal: number;
  startWalkIndex: number;
  findingsBefore: number;
}

/**
 * Walks the whole log in the gap-safe order once: every stream's chain, every seal's index and root,
 * and at the end every stream head. Collects every finding and reports the earliest in log order.
 */
export async function verifyLedger(store: EventStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? 5000;
  const maxFindings = options.maxFindings ?? 1000;
  const found: { finding: Finding; at: number }[] = [];
  let findingCount = 0;
  const report = (finding: Finding, at: number) => {
    findingCount += 1;
    if (found.length < maxFindings) found.push({ finding, at });
  };

  const resume = options.resume;
  const { seals, malformed } = await readSeals(store);
  for (const event of malformed) {
    report({ kind: 'seal-mismatch', position: event.position, eventId: event.eventId, streamName: event.streamName, streamVersion: event.streamVersion, detail: 'LedgerSealed event without the documented payload' }, -1);
  }
  checkSealChain(seals, (finding) => report(finding, -1));
  const pending = seals.filter((s) => !resume || s.data.sealNumber > resume.sealNumber);

  const streams = new Map<string, StreamState>();
  let walkIndex = 0;
  let eventsChecked = resume?.eventsChecked ?? 0;
  let current: SealState | undefined;
  let sealsChecked = 0;
  let unsealedEvents = 0;

  const openSeal = (seal: StoredSeal): SealState => {
    let entries: SealState['entries'] = [];
    try {
      entries = decodeIndexBinary(seal.data.index);
    } catch (error) {
      report({ kind: 'seal-mismatch', position: seal.event.position, eventId: seal.event.eventId, sealNumber: seal.data.sealNumber, detail: String(error) }, walkIndex - 0.5);
    }
    return { seal, entries, seenAt: new Float64Array(entries.length).fill(-1), leaves: [], prev: { ordinal: -1, at: -1 }, prev2Ordinal: -1, startWalkIndex: walkIndex, findingsBefore: findingCount };
  };

  const closeSeal = (state: SealState) => {
    const { seal, entries, seenAt } = state;
    let previousAt = state.startWalkIndex - 0.5;
    for (let i = 0; i < entries.length; i++) {
      if (seenAt[i] >= 0) {
        previousAt = seenAt[i];
        continue;
      }
      report({
        kind: 'missing-event',
        position: { transactionId: '', globalPosition: entries[i].globalPosition.toString() },
        sealNumber: seal.data.sealNumber,
        detail: `seal ${seal.data.sealNumber} covers an event at global position ${entries[i].globalPosition} (leaf ${i}, leaf prefix ${hex(entries[i].leafPrefix)}) that is no longer stored there`,
      }, previousAt + 0.25);
    }
    const rootOk = state.leaves.length > 0 && hex(merkleRootOfBinary(state.leaves)) === seal.data.root;
    if (findingCount === state.findingsBefore && (!rootOk || state.leaves.length !== seal.data.count || entries.length !== seal.data.count)) {
      report({
        kind: 'seal-mismatch',
        position: seal.event.position,
        eventId: seal.event.eventId,
        sealNumber: seal.data.sealNumber,
        detail: `seal ${seal.data.sealNumber}: ${state.leaves.length} events stored, ${seal.data.count} sealed, root ${rootOk ? 'matches' : 'differs'}: the seal itself was altered`,
      }, walkIndex - 0.5);
    }
    sealsChecked += 1;
    if (findingCount === 0) options.onCheckpoint?.({ after: seal.data.to, sealNumber: seal.data.sealNumber, eventsChecked });
  };

  const stateOf = async (event: ScannedEvent): Promise<StreamState> => {
    const known = streams.get(event.streamName);
    if (known) return known;
    let state: StreamState = { version: 0, hash: GENESIS, broken: false, lastWalkIndex: -1, gaps: [] };
    // After a resume, a stream's earlier events were verified by the run that wrote the checkpoint.
    if (resume && event.streamVersion > 1) {
      const [prev] = await store.readStream(event.streamName, { fromVersion: event.streamVersion - 1, limit: 1, raw: true });
      if (prev && prev.streamVersion === event.streamVersion - 1) state = { version: prev.streamVersion, hash: Buffer.from(prev.hash, 'hex').toString('latin1'), broken: false, lastWalkIndex: -1, gaps: [] };
    }
    streams.set(event.streamName, state);
    return state;
  };

  const checkEvent = (page: ScanPage, i: number, stream: StreamState, at: number, chainMatches: boolean): void => {
    const event = page.events[i];
    const where = () => ({ position: event.position, eventId: event.eventId, streamName: event.streamName, streamVersion: event.streamVersion });
    let bad = false;
    if (event.streamVersion > stream.version + 1) {
      // Deleted, or moved later in the log: which one shows only if the versions turn up further on.
      stream.gaps.push({ from: stream.version + 1, to: event.streamVersion - 1, at, event: where() });
      bad = true;
    } else if (event.streamVersion <= stream.version) {
      const gap = stream.gaps.findIndex((g) => event.streamVersion >= g.from && event.streamVersion <= g.to);
      if (gap >= 0) {
        const early = stream.gaps[gap];
        stream.gaps.splice(gap, 1);
        report({ ...early.event, kind: 'order', detail: `version ${early.event.streamVersion} of ${event.streamName} comes before version ${event.streamVersion} (event ${event.eventId}) in the log: versions or positions were swapped` }, early.at);
      } else {
        report({ ...where(), kind: 'order', detail: `version ${event.streamVersion} of ${event.streamName} comes after version ${stream.version} in the log` }, at);
      }
      bad = true;
    }
    // The chain step was recomputed (on a worker) from the stored hash this stream's previous event has
    // in walk order, which is exactly stream.hash here; only a mismatch is recomputed again, for its detail.
    if (!bad && !chainMatches) {
      report(stream.broken
        ? { ...where(), kind: 'chain-break', detail: `does not chain from the previous event of ${event.streamName}, which was itself altered` }
        : { ...where(), kind: 'content-digest-mismatch', detail: `stored hash ${event.hashHex} ≠ sha256(prevHash ‖ contentDigest ‖ stream/version/recordedAt) = ${hex(referenceChainHash(page.rows, page.offsets, i, stream.hash))}: content, stream, version or recordedAt was edited` }, at);
      bad = true;
    }
    stream.version = Math.max(stream.version, event.streamVersion);
    stream.hash = event.chainHash;
    stream.broken = stream.broken || bad;
    stream.lastWalkIndex = at;
  };

  const checkAgainstSeal = (state: SealState, event: ScannedEvent, leaf: string, at: number) => {
    state.leaves.push(leaf);
    const where = () => ({ position: event.position, eventId: event.eventId, streamName: event.streamName, streamVersion: event.streamVersion, sealNumber: state.seal.data.sealNumber });
    // In an intact log every event is the next one its seal lists: only a deviation needs the lookups.
    const next = state.prev.ordinal + 1;
    const ordinal = next < state.entries.length && state.entries[next].globalPosition === event.position.globalPosition ? next : lookupOf(state).ordinals.get(event.position.globalPosition);
    const prefix = leaf.slice(0, INDEX_LEAF_BYTES);
    if (ordinal === undefined) {
      const movedFrom = lookupOf(state).byLeaf.get(prefix);
      report(movedFrom === undefined
        ? { ...where(), kind: 'unexpected-event', detail: `not covered by seal ${state.seal.data.sealNumber}, whose range it sits in: inserted after sealing` }
        : { ...where(), kind: 'order', detail: `sealed at global position ${state.entries[movedFrom].globalPosition}, now stored at ${event.position.globalPosition}` }, at);
      if (movedFrom !== undefined && state.seenAt[movedFrom] < 0) state.seenAt[movedFrom] = at;
      return;
    }
    if (state.seenAt[ordinal] >= 0) {
      report({ ...where(), kind: 'unexpected-event', detail: `a second event at sealed global position ${event.position.globalPosition}` }, at);
      return;
    }
    state.seenAt[ordinal] = at;
    if (state.entries[ordinal].leafPrefix !== prefix) {
      const other = lookupOf(state).byLeaf.get(prefix);
      report(other !== undefined
        ? { ...where(), kind: 'order', detail: `sealed at global position ${state.entries[other].globalPosition}, now stored at ${event.position.globalPosition}: events were swapped` }
        : { ...where(), kind: 'chain-break', detail: `its chain hash is not the one seal ${state.seal.data.sealNumber} covers: the event was rewritten and re-hashed` }, at);
      return;
    }
    // Sealed positions must come in sealed order. On an inversion, either this event moved later, or the
    // one before it moved earlier (then this one follows the one before that, as sealed).
    if (ordinal < state.prev.ordinal) {
      const before = state.prev.event;
      if (before && ordinal === state.prev2Ordinal + 1) {
        const sealNumber = state.seal.data.sealNumber;
        report({ position: before.position, eventId: before.eventId, streamName: before.streamName, streamVersion: before.streamVersion, sealNumber, kind: 'order', detail: `sealed as leaf ${state.prev.ordinal}, found before leaf ${ordinal}: its transaction id or position was changed` }, state.prev.at);
        state.prev = { ordinal, at, event };
      } else {
        report({ ...where(), kind: 'order', detail: `sealed as leaf ${ordinal}, found after leaf ${state.prev.ordinal}: its transaction id or position was changed` }, at);
      }
      return;
    }
    state.prev2Ordinal = state.prev.ordinal;
    state.prev.ordinal = ordinal;
    state.prev.at = at;
    state.prev.event = event;
  };

  let sealIndex = 0;
  const sealFor = (position: Checkpoint): SealState | undefined => {
    while (current && after(position, current.seal.data.to)) {
      closeSeal(current);
      current = undefined;
    }
    if (!current && sealIndex < pending.length && after(position, pending[sealIndex].data.from)) {
      // Seals whose whole range lies behind this position lost every event: close them empty.
      while (sealIndex < pending.length && after(position, pending[sealIndex].data.to)) closeSeal(openSeal(pending[sealIndex++]));
      if (sealIndex < pending.length && after(position, pending[sealIndex].data.from)) current = openSeal(pending[sealIndex++]);
    }
    return current;
  };

  // Three stages overlap: the database reads page k+1, workers hash page k, this thread walks page k-1.
  // Hashing needs each event's predecessor hash as stored, known as soon as the page is read.
  const pool = new LazyPool(options.workers ?? defaultHashWorkers());
  const dispatchedHash = new Map<string, string>();
  const prepare = async (page: ScanPage, first: boolean): Promise<InFlight> => {
    const prevHashes = new Array<string>(page.events.length);
    for (let i = 0; i < page.events.length; i++) {
      const event = page.events[i];
      let prev = dispatchedHash.get(event.streamName);
      if (prev === undefined) prev = (await stateOf(event)).hash;
      dispatchedHash.set(event.streamName, event.chainHash);
      prevHashes[i] = prev;
    }
    const batch: HashBatch = { rows: page.rows, offsets: page.offsets, count: page.events.length, prevHashes };
    // A log of one page is hashed here: starting workers would cost more than it saves.
    return { page, hashed: pool.hash(batch, first && page.atHead) };
  };
  const walk = async ({ page, hashed }: InFlight): Promise<void> => {
    const results = await hashed;
    for (let i = 0; i < page.events.length; i++) {
      const event = page.events[i];
      const stream = streams.get(event.streamName) as StreamState;
      checkEvent(page, i, stream, walkIndex, results.matches[i] === 1);
      const seal = sealFor(event.position);
      if (seal) checkAgainstSeal(seal, event, results.leaves[i], walkIndex);
      else unsealedEvents += 1;
      walkIndex += 1;
      eventsChecked += 1;
    }
    options.onProgress?.(eventsChecked, page.checkpoint);
  };

  const inFlight: InFlight[] = [];
  try {
    let nextPage: Promise<ScanPage> | undefined = scanPage(store, resume?.after ?? START, pageSize);
    for (let first = true; nextPage; first = false) {
      const page: ScanPage = await nextPage;
      nextPage = page.atHead || page.events.length === 0 ? undefined : scanPage(store, page.checkpoint, pageSize);
      inFlight.push(await prepare(page, first));
      while (inFlight.length > pool.depth) await walk(inFlight.shift() as InFlight);
    }
    while (inFlight.length > 0) await walk(inFlight.shift() as InFlight);
  } finally {
    await pool.close();
  }
  if (current) closeSeal(current);
  while (sealIndex < pending.length) closeSeal(openSeal(pending[sealIndex++]));

  for (const [streamName, stream] of streams) {
    for (const gap of stream.gaps) {
      report({
        kind: 'missing-event',
        position: gap.event.position,
        streamName,
        streamVersion: gap.from,
        detail: `stream ${streamName} jumps to version ${gap.to + 1} (event ${gap.event.eventId}): version${gap.to > gap.from ? `s ${gap.from}..${gap.to} are` : ` ${gap.from} is`} missing`,
      }, gap.at - 0.5);
    }
  }
  await checkStreamHeads(store, streams, Boolean(resume), (finding, at) => report(finding, at ?? walkIndex));

  found.sort((a, b) => a.at - b.at);
  return {
    ok: findingCount === 0,
    eventsChecked,
    streamsChecked: streams.size,
    sealsChecked,
    unsealedEvents,
    firstBad: found[0]?.finding,
    findings: found.map((f) => f.finding),
    findingCount,
  };
}

/** Seals chain: consecutive numbers, contiguous ranges, each naming the previous seal event's hash. */
function checkSealChain(seals: StoredSeal[], report: (finding: Finding) => void): void {
  let prev: StoredSeal | undefined;
  for (const seal of seals) {
    const where = { position: seal.event.position, eventId: seal.event.eventId, streamName: LEDGER_STREAM, streamVersion: seal.event.streamVersion, sealNumber: seal.data.sealNumber };
    const expectedNumber = (prev?.data.sealNumber ?? 0) + 1;
    const expectedFrom = prev?.data.to ?? START;
    const expectedPrevHash = prev?.event.hash ?? ZERO_HASH_HEX;
    if (seal.data.sealNumber !== expectedNumber) report({ ...where, kind: 'seal-mismatch', detail: `seal number ${seal.data.sealNumber}, expected ${expectedNumber}` });
    else if (seal.data.from.transactionId !== expectedFrom.transactionId || seal.data.from.globalPosition !== expectedFrom.globalPosition) report({ ...where, kind: 'seal-mismatch', detail: 'range does not start where the previous seal ended' });
    else if (seal.data.prevSealHash !== expectedPrevHash) report({ ...where, kind: 'seal-mismatch', detail: `prevSealHash ${seal.data.prevSealHash} ≠ previous seal's chain hash ${expectedPrevHash}` });
    prev = seal;
  }
}

/** The streams table records each stream's version and newest hash: compare with what the walk saw. */
async function checkStreamHeads(
  store: EventStore,
  streams: Map<string, StreamState>,
  resumed: boolean,
  report: (finding: Finding, at?: number) => void,
): Promise<void> {
  const heads = await store.readStreamHeads();
  const recorded = new Set<string>();
  for (const head of heads) {
    recorded.add(head.streamName);
    const walked = streams.get(head.streamName);
    if (!walked) {
      // After a resume, streams untouched since the checkpoint were verified by the earlier run.
      if (!resumed && head.version > 0 && !(await appendedSinceWalk(store, head.streamName, 1))) {
        report({ kind: 'missing-event', streamName: head.streamName, streamVersion: 1, detail: `the streams table records ${head.streamName} at version ${head.version} but none of its events is stored` });
      }
      continue;
    }
    const at = walked.lastWalkIndex + 0.5;
    if (walked.version < head.version) {
      if (!(await appendedSinceWalk(store, head.streamName, walked.version + 1))) {
        report({ kind: 'missing-event', streamName: head.streamName, streamVersion: walked.version + 1, detail: `the streams table records ${head.streamName} at version ${head.version}; the log ends at ${walked.version}` }, at);
      }
    } else if (walked.version > head.version) {
      report({ kind: 'unexpected-event', streamName: head.streamName, streamVersion: head.version + 1, detail: `${head.streamName} has events up to version ${walked.version} but its recorded head is version ${head.version}: written around cdt_append` }, at);
    } else if (hex(walked.hash) !== head.lastHash && !walked.broken) {
      report({ kind: 'chain-break', streamName: head.streamName, streamVersion: head.version, detail: `the newest event's hash differs from the stream's recorded last hash ${head.lastHash}` }, at);
    }
  }
  for (const [streamName, walked] of streams) {
    if (!recorded.has(streamName)) {
      report({ kind: 'unexpected-event', streamName, streamVersion: 1, detail: `${streamName} is in the log but not in the streams table: written around cdt_append` }, walked.lastWalkIndex);
    }
  }
}

/** A head newer than the walk may just be an append that committed after it read (not yet visible then). */
async function appendedSinceWalk(store: EventStore, streamName: string, version: number): Promise<boolean> {
  const [event] = await store.readStream(streamName, { fromVersion: version, limit: 1, raw: true });
  return event?.streamVersion === version;
}

/** a > b in the log order. Decimal strings without leading zeros: compare by length, then text (no BigInt per event). */
function after(a: Checkpoint, b: Checkpoint): boolean {
  const tx = compareDecimal(a.transactionId, b.transactionId);
  return tx !== 0 ? tx > 0 : compareDecimal(a.globalPosition, b.globalPosition) > 0;
}

function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a === b ? 0 : a < b ? -1 : 1;
}

interface InFlight {
  page: ScanPage;
  hashed: Promise<HashedBatch>;
}

/** Hashes on this thread until a batch is worth a worker, then on a pool started once. */
class LazyPool {
  private pool: HashPool | undefined;
  private readonly inline = new HashPool(0);

  constructor(private readonly size: number) {}

  /** Pages in flight before the walk must catch up: enough to keep every worker busy. */
  get depth(): number {
    return (this.pool?.size ?? 0) + 1;
  }

  hash(batch: HashBatch, small: boolean): Promise<HashedBatch> {
    if (small || this.size === 0) return this.inline.hash(batch);
    this.pool ??= new HashPool(this.size);
    return this.pool.hash(batch);
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}

function lookupOf(state: SealState): NonNullable<SealState['lookup']> {
  if (!state.lookup) {
    const ordinals = new Map<string, number>();
    const byLeaf = new Map<string, number>();
    state.entries.forEach((entry, i) => {
      ordinals.set(entry.globalPosition, i);
      byLeaf.set(entry.leafPrefix, i);
    });
    state.lookup = { ordinals, byLeaf };
  }
  return state.lookup;
}

/**
 * A seal's index (seal.ts) with the leaf prefixes as binary strings, compared as they are with the
 * leaves verify computes; positions as decimal text, through a double while that is exact.
 */
function decodeIndexBinary(index: string): SealState['entries'] {
  const buffer = Buffer.from(index, 'base64');
  const entryBytes = 8 + INDEX_LEAF_BYTES;
  if (buffer.length % entryBytes !== 0) throw new Error(`seal index of ${buffer.length} bytes is not a whole number of entries`);
  const entries: SealState['entries'] = [];
  for (let at = 0; at < buffer.length; at += entryBytes) {
    const high = buffer.readUInt32BE(at);
    entries.push({
      globalPosition: high < 0x200000 ? String(high * 0x1_0000_0000 + buffer.readUInt32BE(at + 4)) : buffer.readBigUInt64BE(at).toString(),
      leafPrefix: buffer.toString('latin1', at + 8, at + entryBytes),
    });
  }
  return entries;
}
