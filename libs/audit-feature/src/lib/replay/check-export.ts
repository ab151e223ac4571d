import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { compareCheckpoints, computeChainHash, contentDigest, isoToMicros, type Checkpoint } from '@cdt/event-store';
import { leafHash, merkleRoot, parseSeal, ZERO_HASH_HEX, type LedgerSealedData } from '@cdt/ledger-integrity';
import { checkpointText, MANIFEST_FILE, REPLAY_FORMAT, SEAL_LEAVES_FILE, SEALS_FILE, type ReplayEventLine, type ReplayManifest, type SealLeafLine } from './replay-format';

export type ReplayFindingKind = 'file' | 'chain' | 'order' | 'seal';

export interface ReplayFinding {
  kind: ReplayFindingKind;
  file?: string;
  line?: number;
  eventId?: string;
  streamName?: string;
  streamVersion?: number;
  position?: Checkpoint;
  sealNumber?: number;
  detail: string;
}

export interface ReplayCheckReport {
  ok: boolean;
  events: number;
  streams: number;
  seals: number;
  findings: ReplayFinding[];
  firstBad?: ReplayFinding;
}

interface Seal {
  data: LedgerSealedData;
  line: ReplayEventLine;
  leaves: { position: Checkpoint; hash: string }[];
}

async function* linesOf(path: string): AsyncGenerator<string> {
  const reader = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of reader) if (line.length > 0) yield line;
}

async function fileDigest(path: string): Promise<{ sha256: string; lines: number; bytes: number }> {
  const hash = createHash('sha256');
  let lines = 0;
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    bytes += buffer.length;
    for (const byte of buffer) if (byte === 0x0a) lines += 1;
  }
  return { sha256: hash.digest('hex'), lines, bytes };
}

/**
 * Re-verifies an export from its files alone, no database: the manifest's sha-256 and counts, every
 * event's chain hash (content digest → chain hash, each chained to the previous line of its stream),
 * the log order, the seals' own chain, and every seal's Merkle root over the exported events it covers
 * plus its seal-leaves. The procedure is the one docs/operations/audit.md lists step by step.
 */
export async function checkReplayExport(dir: string): Promise<ReplayCheckReport> {
  const findings: ReplayFinding[] = [];
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as ReplayManifest;
  if (manifest.format !== REPLAY_FORMAT) findings.push({ kind: 'file', file: MANIFEST_FILE, detail: `format ${String(manifest.format)}, expected ${REPLAY_FORMAT}` });

  // 1. Every file is the one the manifest describes.
  for (const file of manifest.files) {
    const path = join(dir, file.name);
    if (!existsSync(path)) {
      findings.push({ kind: 'file', file: file.name, detail: 'listed in the manifest but absent' });
      continue;
    }
    const actual = await fileDigest(path);
    if (actual.sha256 !== file.sha256 || actual.lines !== file.lines) {
      findings.push({ kind: 'file', file: file.name, detail: `sha-256 ${actual.sha256} over ${actual.lines} lines; the manifest says ${file.sha256} over ${file.lines}` });
    }
  }

  // 2. The seals: each chains in the ledger stream and names the previous seal.
  const seals: Seal[] = [];
  if (existsSync(join(dir, SEALS_FILE))) {
    let n = 0;
    for await (const text of linesOf(join(dir, SEALS_FILE))) {
      n += 1;
      const line = JSON.parse(text) as ReplayEventLine;
      checkChain(line, SEALS_FILE, n, findings);
      try {
        seals.push({ data: parseSeal(line.data), line, leaves: [] });
      } catch (error) {
        findings.push({ kind: 'seal', file: SEALS_FILE, line: n, eventId: line.eventId, detail: String(error) });
      }
    }
  }
  seals.sort((a, b) => a.data.sealNumber - b.data.sealNumber);
  for (let i = 1; i < seals.length; i++) {
    const [prev, seal] = [seals[i - 1], seals[i]];
    if (seal.data.sealNumber !== prev.data.sealNumber + 1) continue;
    if (seal.data.prevSealHash !== prev.line.hash || compareCheckpoints(seal.data.from, prev.data.to) !== 0) {
      findings.push({ kind: 'seal', sealNumber: seal.data.sealNumber, eventId: seal.line.eventId, detail: `does not chain to seal ${prev.data.sealNumber} (prevSealHash or range start differs)` });
    }
  }
  const bySealNumber = new Map(seals.map((seal) => [seal.data.sealNumber, seal]));
  if (existsSync(join(dir, SEAL_LEAVES_FILE))) {
    for await (const text of linesOf(join(dir, SEAL_LEAVES_FILE))) {
      const leaf = JSON.parse(text) as SealLeafLine;
      bySealNumber.get(leaf.sealNumber)?.leaves.push({ position: leaf.position, hash: leaf.hash });
    }
  }

  // 3. The events, in file order: log order, chains, and the seal each falls in.
  const byTo = [...seals].sort((a, b) => compareCheckpoints(a.data.to, b.data.to));
  let sealAt = 0;
  let previous: Checkpoint | undefined;
  const lastOfStream = new Map<string, { version: number; hash: string }>();
  let events = 0;
  const byType = manifest.filter.types !== undefined;
  const fromStart = manifest.filter.from === undefined;
  for (const file of manifest.files.filter((f) => f.kind === 'events')) {
    if (!existsSync(join(dir, file.name))) continue;
    let n = 0;
    for await (const text of linesOf(join(dir, file.name))) {
      n += 1;
      events += 1;
      const line = JSON.parse(text) as ReplayEventLine;
      const where = { file: file.name, line: n, eventId: line.eventId, streamName: line.streamName, streamVersion: line.streamVersion, position: line.position };
      if (previous && compareCheckpoints(line.position, previous) <= 0) findings.push({ ...where, kind: 'order', detail: `position ${checkpointText(line.position)} does not come after ${checkpointText(previous)}` });
      previous = line.position;
      const before = lastOfStream.get(line.streamName);
      if (before?.version === line.streamVersion - 1 && before.hash !== line.prevHash) {
        findings.push({ ...where, kind: 'chain', detail: `prevHash ${line.prevHash} is not the hash of version ${before.version} on the line before (${before.hash})` });
      } else if (before && before.version >= line.streamVersion) {
        findings.push({ ...where, kind: 'order', detail: `version ${line.streamVersion} after version ${before.version} of the same stream` });
      } else if (!byType && (before ? before.version : fromStart ? 0 : line.streamVersion - 1) < line.streamVersion - 1) {
        // Without a type filter a stream's exported versions are consecutive (from 1 when the export
        // starts at the beginning of the log): a gap is a dropped line.
        findings.push({ ...where, kind: 'chain', detail: `versions ${(before?.version ?? 0) + 1}..${line.streamVersion - 1} of ${line.streamName} are missing before this line` });
      }
      checkChain(line, file.name, n, findings);
      lastOfStream.set(line.streamName, { version: line.streamVersion, hash: line.hash });
      while (sealAt < byTo.length && compareCheckpoints(line.position, byTo[sealAt].data.to) > 0) sealAt += 1;
      const seal = byTo[sealAt];
      if (seal && compareCheckpoints(line.position, seal.data.from) > 0) seal.leaves.push({ position: line.position, hash: line.hash });
    }
  }
  if (events !== manifest.events) findings.push({ kind: 'file', file: MANIFEST_FILE, detail: `${events} event lines, the manifest says ${manifest.events}` });

  // 4. Every seal's root from the leaves the directory holds.
  for (const seal of seals) {
    const leaves = [...seal.leaves].sort((a, b) => compareCheckpoints(a.position, b.position));
    const root = leaves.length > 0 ? merkleRoot(leaves.map((leaf) => leafHash(Buffer.from(leaf.hash, 'hex')))).toString('hex') : '';
    if (leaves.length !== seal.data.count || root !== seal.data.root) {
      findings.push({ kind: 'seal', sealNumber: seal.data.sealNumber, eventId: seal.line.eventId, position: seal.line.position, detail: `${leaves.length} leaves with root ${root || '(none)'}; the seal covers ${seal.data.count} with root ${seal.data.root}` });
    }
  }
  return { ok: findings.length === 0, events, streams: lastOfStream.size, seals: seals.length, findings, firstBad: findings[0] };
}

/** hash = sha256(prevHash ‖ sha256(JCS(event)) ‖ "stream/version/recordedAtMicros"). */
function checkChain(line: ReplayEventLine, file: string, n: number, findings: ReplayFinding[]): void {
  const where = { file, line: n, eventId: line.eventId, streamName: line.streamName, streamVersion: line.streamVersion, position: line.position };
  if (line.prevHash === '') {
    findings.push({ ...where, kind: 'chain', detail: `version ${line.streamVersion - 1} of ${line.streamName} was not in the store at export time` });
    return;
  }
  if (line.streamVersion === 1 && line.prevHash !== ZERO_HASH_HEX) findings.push({ ...where, kind: 'chain', detail: 'version 1 must chain from 64 zeros' });
  const recomputed = computeChainHash(Buffer.from(line.prevHash, 'hex'), contentDigest(line), line.streamName, line.streamVersion, isoToMicros(line.recordedAt)).toString('hex');
  if (recomputed !== line.hash) findings.push({ ...where, kind: 'chain', detail: `stored hash ${line.hash} ≠ recomputed ${recomputed}: the line was edited` });
}
