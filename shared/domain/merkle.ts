import { createHash } from 'node:crypto';

/**
 * A Merkle tree over the ledger, hashed as RFC 6962 (Certificate Transparency) does — and as
 * RFC 9162 §2.1 restates it: a leaf hashes as SHA-256(0x00 ‖ leaf), an inner node as
 * SHA-256(0x01 ‖ left ‖ right), and a tree of n > 1 leaves splits at k, the largest power of two
 * smaller than n. The distinct prefixes make a leaf impossible to pass off as a node. The audit
 * path of a leaf, and its check against a root, follow RFC 9162 §2.1.3.
 */

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);

/** The hash of one leaf's bytes. */
export function leafHash(leaf: Uint8Array): Buffer {
  return sha256(LEAF, leaf);
}

function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(NODE, left, right);
}

/** The largest power of two smaller than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The Merkle tree hash of leaf hashes (the root; SHA-256 of nothing for an empty tree). */
export function treeHash(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return Buffer.from(leaves[0] as Uint8Array);
  const k = split(leaves.length);
  return nodeHash(treeHash(leaves.slice(0, k)), treeHash(leaves.slice(k)));
}

/** The audit path of leaf `index` among `leaves` (leaf hashes), from the leaf up. */
export function auditPath(leaves: readonly Uint8Array[], index: number): Buffer[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`leaf ${index} is not in a tree of ${leaves.length}`);
  }
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return index < k
    ? [...auditPath(leaves.slice(0, k), index), treeHash(leaves.slice(k))]
    : [...auditPath(leaves.slice(k), index - k), treeHash(leaves.slice(0, k))];
}

/**
 * Whether `path` proves that the leaf with hash `leaf` is leaf `index` of a tree of `size` leaves
 * whose root is `root` (RFC 9162 §2.1.3.2).
 */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(Buffer.from(root));
}
