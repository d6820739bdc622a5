import { canonicalJson } from './final-export.ts';
import type { SubmissionStatus } from './ledger.ts';
import { auditPath, leafHash, treeHash, verifyInclusion } from './merkle.ts';

/** One submission as a leaf of the ledger tree: what it proves was received, and its verdict. */
export type LedgerLeaf = {
  id: string;
  country: string;
  key: string;
  versionId: string | null;
  sha256: string | null;
  receivedAt: string;
  verdict: SubmissionStatus;
};

/** The fixed order and encoding of the ledger tree, written into every manifest that names a root. */
export const LEDGER_TREE_SCHEME =
  'RFC 6962 SHA-256 Merkle tree; leaves sorted by receivedAt, then id; each leaf the UTF-8 canonical JSON (keys sorted) of {country, id, key, receivedAt, sha256, verdict, versionId}';

/** The leaves in their fixed order. */
export function ledgerLeaves(entries: readonly LedgerLeaf[]): LedgerLeaf[] {
  return entries
    .map(({ id, country, key, versionId, sha256, receivedAt, verdict }) => ({
      id,
      country,
      key,
      versionId: versionId ?? null,
      sha256,
      receivedAt,
      verdict,
    }))
    .sort((a, b) =>
      a.receivedAt < b.receivedAt
        ? -1
        : a.receivedAt > b.receivedAt
          ? 1
          : a.id < b.id
            ? -1
            : a.id > b.id
              ? 1
              : 0,
    );
}

/** The bytes of one leaf. */
export function leafBytes(leaf: LedgerLeaf): Buffer {
  return Buffer.from(canonicalJson(leaf), 'utf8');
}

/** The root (hex) and size of the tree of ordered leaves. */
export function ledgerRoot(leaves: readonly LedgerLeaf[]): { root: string; size: number } {
  return { root: treeHash(leaves.map((l) => leafHash(leafBytes(l)))).toString('hex'), size: leaves.length };
}

/** What an agency keeps to prove its file is in the ledger: the leaf, where it is, and its path. */
export type InclusionProof = {
  scheme: string;
  leaf: LedgerLeaf;
  index: number;
  size: number;
  root: string;
  path: string[];
};

/** The inclusion proof of submission `id` among the ordered leaves, or null when it is not one. */
export function inclusionProof(leaves: readonly LedgerLeaf[], id: string): InclusionProof | null {
  const index = leaves.findIndex((l) => l.id === id);
  if (index < 0) return null;
  const hashes = leaves.map((l) => leafHash(leafBytes(l)));
  return {
    scheme: LEDGER_TREE_SCHEME,
    leaf: leaves[index] as LedgerLeaf,
    index,
    size: leaves.length,
    root: treeHash(hashes).toString('hex'),
    path: auditPath(hashes, index).map((h) => h.toString('hex')),
  };
}

/** Whether a proof leads from its leaf to `root` (the signed one, not the proof's own claim). */
export function checkInclusion(proof: InclusionProof, root: string): boolean {
  const hex = /^[0-9a-f]{64}$/;
  if (!hex.test(root) || !proof.path.every((p) => hex.test(p))) return false;
  return verifyInclusion(
    leafHash(leafBytes(proof.leaf)),
    proof.index,
    proof.size,
    proof.path.map((p) => Buffer.from(p, 'hex')),
    Buffer.from(root, 'hex'),
  );
}
