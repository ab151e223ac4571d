import { createHash } from 'node:crypto';
import { expectedSides, inclusionPath, leafHash, merkleRoot, merkleRootOfBinary, nodeHash, rootFromPath } from './merkle';

const sha = (...parts: Buffer[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();

/** RFC 9162 §2.1.1 word for word: split at the largest power of two smaller than n. */
function rfcRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.from([1]), rfcRoot(leaves.slice(0, k)), rfcRoot(leaves.slice(k)));
}

const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(sha(Buffer.from(`event ${i}`))));

describe('Merkle tree (RFC 9162, sha-256)', () => {
  it('hashes a leaf as sha256(0x00 ‖ chainHash) and a node as sha256(0x01 ‖ left ‖ right)', () => {
    const chain = sha(Buffer.from('x'));
    expect(leafHash(chain)).toEqual(sha(Buffer.from([0]), chain));
    expect(nodeHash(chain, chain)).toEqual(sha(Buffer.from([1]), chain, chain));
  });

  it('builds the same root as the recursive RFC definition for every size up to 70', () => {
    for (let n = 1; n <= 70; n++) expect(merkleRoot(leaves(n)).toString('hex')).toBe(rfcRoot(leaves(n)).toString('hex'));
  });

  it("builds the same root from leaves as binary strings (verify's form) for every size up to 70", () => {
    for (let n = 1; n <= 70; n++) expect(Buffer.from(merkleRootOfBinary(leaves(n).map((leaf) => leaf.toString('latin1'))), 'latin1')).toEqual(rfcRoot(leaves(n)));
    expect(() => merkleRootOfBinary([])).toThrow(RangeError);
  });

  it('proves every leaf of every size up to 40, with the sides the RFC position implies', () => {
    for (let n = 1; n <= 40; n++) {
      const tree = leaves(n);
      const root = merkleRoot(tree);
      for (let i = 0; i < n; i++) {
        const path = inclusionPath(tree, i);
        expect(rootFromPath(tree[i], path)).toEqual(root);
        expect(path.map((step) => step.side)).toEqual(expectedSides(i, n));
      }
    }
  });

  it('fails a proof for a changed leaf, a changed sibling or a path of another leaf', () => {
    const tree = leaves(13);
    const root = merkleRoot(tree);
    const path = inclusionPath(tree, 6);
    expect(rootFromPath(tree[7], path)).not.toEqual(root);
    const bent = path.map((step, i) => (i === 2 ? { ...step, sibling: '00'.repeat(32) } : step));
    expect(rootFromPath(tree[6], bent)).not.toEqual(root);
    expect(expectedSides(5, 13)).not.toEqual(path.map((step) => step.side));
  });

  it('refuses an empty tree and a leaf outside it', () => {
    expect(() => merkleRoot([])).toThrow(RangeError);
    expect(() => inclusionPath(leaves(3), 3)).toThrow(RangeError);
    expect(() => expectedSides(-1, 3)).toThrow(RangeError);
  });
});
