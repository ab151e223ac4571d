import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { compareCheckpoints, computeChainHash, contentDigest, EventStore, isoToMicros, NewEvent, RecordedEvent, type Checkpoint } from '@cdt/event-store';
import { readRange, readSeals, ZERO_HASH_HEX } from './ledger-log';
import { expectedSides, inclusionPath, leafHash, merkleRoot, PathStep, rootFromPath } from './merkle';

export const PROOF_FORMAT = 'cdt-inclusion-proof/1';

/** Everything a third party needs to tie one event to a seal's Merkle root (docs/operations/audit.md). */
export interface InclusionProof {
  format: typeof PROOF_FORMAT;
  /** The event as stored, exactly the fields its content digest covers. */
  event: Pick<NewEvent, 'eventId' | 'type' | 'schemaVersion' | 'data' | 'metadata'>;
  /** RFC 8785 (JCS) text of `event`: sha256 of these UTF-8 bytes is the content digest. */
  canonical: string;
  contentDigest: string;
  streamName: string;
  streamVersion: number;
  /** recorded_at in microseconds since the Unix epoch, as the chain hashes it. */
  recordedAtMicros: string;
  position: Checkpoint;
  /** Chain hash of the previous event of the stream (64 zeros for version 1). */
  prevHash: string;
  chainHash: string;
  leaf: string;
  leafIndex: number;
  treeSize: number;
  /** From the leaf up: combine with each sibling on the side given. */
  path: PathStep[];
  root: string;
  seal: { sealNumber: number; eventId: string; ledgerVersion: number; position: Checkpoint; chainHash: string; from: Checkpoint; to: Checkpoint };
}

export class ProofError extends Error {}

/** Builds the inclusion proof of `eventId` from the store; refuses if the event is not sealed yet. */
export async function proveEvent(store: EventStore, eventId: string): Promise<InclusionProof> {
  const [located] = await store.readEventsById([eventId]);
  if (!located) throw new ProofError(`no event ${eventId} in the log`);
  const [event] = await store.readStream(located.streamName, { fromVersion: located.streamVersion, limit: 1, raw: true });
  const prev = located.streamVersion > 1
    ? (await store.readStream(located.streamName, { fromVersion: located.streamVersion - 1, limit: 1, raw: true }))[0]
    : undefined;
  const { seals } = await readSeals(store);
  const seal = seals.find((s) => compareCheckpoints(s.data.from, event.position) < 0 && compareCheckpoints(event.position, s.data.to) <= 0);
  if (!seal) throw new ProofError(`event ${eventId} is not sealed yet (run \`cdt audit seal\`)`);
  const range = await readRange(store, seal.data.from, seal.data.to);
  const leaves = range.map((e) => leafHash(Buffer.from(e.hash, 'hex')));
  if (range.length !== seal.data.count || merkleRoot(leaves).toString('hex') !== seal.data.root) {
    throw new ProofError(`seal ${seal.data.sealNumber} does not match the stored events (run \`cdt audit verify\`)`);
  }
  const leafIndex = range.findIndex((e) => e.eventId === event.eventId);
  const canonical = canonicalText(event);
  return {
    format: PROOF_FORMAT,
    event: { eventId: event.eventId, type: event.type, schemaVersion: event.schemaVersion, data: event.data, metadata: event.metadata },
    canonical,
    contentDigest: contentDigest(event).toString('hex'),
    streamName: event.streamName,
    streamVersion: event.streamVersion,
    recordedAtMicros: isoToMicros(event.recordedAt).toString(),
    position: event.position,
    prevHash: prev?.hash ?? ZERO_HASH_HEX,
    chainHash: event.hash,
    leaf: leaves[leafIndex].toString('hex'),
    leafIndex,
    treeSize: leaves.length,
    path: inclusionPath(leaves, leafIndex),
    root: seal.data.root,
    seal: {
      sealNumber: seal.data.sealNumber,
      eventId: seal.event.eventId,
      ledgerVersion: seal.event.streamVersion,
      position: seal.event.position,
      chainHash: seal.event.hash,
      from: seal.data.from,
      to: seal.data.to,
    },
  };
}

export interface ProofCheck {
  step: string;
  ok: boolean;
  detail: string;
}

export interface ProofVerdict {
  valid: boolean;
  checks: ProofCheck[];
}

/**
 * Redoes the documented offline procedure on a proof file, with nothing but sha-256 and JCS: no
 * database. The root it reaches must then be compared with a root the auditor trusts (published, or
 * read from a verified ledger): `expectedRoot`.
 */
export function checkProof(proof: InclusionProof, expectedRoot?: string): ProofVerdict {
  const checks: ProofCheck[] = [];
  const check = (step: string, ok: boolean, detail: string) => checks.push({ step, ok, detail });
  const sha = (...parts: Buffer[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();

  check('format', proof.format === PROOF_FORMAT, `format ${String(proof.format)}`);
  check('canonical', canonicalText(proof.event) === proof.canonical, 'canonical is the RFC 8785 text of event');
  const digest = sha(Buffer.from(proof.canonical, 'utf8'));
  check('content digest', digest.toString('hex') === proof.contentDigest, `sha256(canonical) = ${digest.toString('hex')}`);
  const chain = computeChainHash(Buffer.from(proof.prevHash, 'hex'), digest, proof.streamName, proof.streamVersion, BigInt(proof.recordedAtMicros));
  check('chain hash', chain.toString('hex') === proof.chainHash, `sha256(prevHash ‖ digest ‖ "${proof.streamName}/${proof.streamVersion}/${proof.recordedAtMicros}") = ${chain.toString('hex')}`);
  const leaf = leafHash(chain);
  check('leaf', leaf.toString('hex') === proof.leaf, `sha256(00 ‖ chainHash) = ${leaf.toString('hex')}`);
  let sidesOk = false;
  try {
    const sides = expectedSides(proof.leafIndex, proof.treeSize);
    sidesOk = sides.length === proof.path.length && sides.every((side, i) => proof.path[i].side === side);
  } catch {
    sidesOk = false;
  }
  check('path shape', sidesOk, `sides fit leaf ${proof.leafIndex} of a tree of ${proof.treeSize}`);
  const root = rootFromPath(leaf, proof.path).toString('hex');
  check('root', root === proof.root, `root from path = ${root}`);
  if (expectedRoot !== undefined) check('trusted root', root === expectedRoot.toLowerCase(), `expected ${expectedRoot}`);
  return { valid: checks.every((c) => c.ok), checks };
}

function canonicalText(event: Pick<RecordedEvent, 'eventId' | 'type' | 'schemaVersion' | 'data' | 'metadata'>): string {
  const text = canonicalize({ eventId: event.eventId, type: event.type, schemaVersion: event.schemaVersion, data: event.data, metadata: event.metadata });
  if (text === undefined) throw new ProofError(`event ${event.eventId} cannot be canonicalized`);
  return text;
}
