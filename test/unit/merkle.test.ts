import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkInclusion,
  inclusionProof,
  type LedgerLeaf,
  ledgerLeaves,
  ledgerRoot,
} from '../../shared/domain/ledger-tree.ts';
import { auditPath, leafHash, treeHash, verifyInclusion } from '../../shared/domain/merkle.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
// The Certificate Transparency reference inputs (RFC 6962 test vectors) and their tree heads.
const CT_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => leafHash(Buffer.from(h, 'hex')));
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('the Merkle tree (RFC 6962)', () => {
  it('gives the reference tree heads for every size from 0 to 8', () => {
    for (let n = 0; n <= 8; n++) expect(hex(treeHash(CT_LEAVES.slice(0, n))), `size ${n}`).toBe(CT_ROOTS[n]);
  });

  it('gives the reference audit path of leaf 0 in the tree of 8', () => {
    expect(auditPath(CT_LEAVES, 0).map(hex)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
  });

  it('proves every leaf of every tree size, and nothing else', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(), (size, pick) => {
        const leaves = Array.from({ length: size }, (_, i) => leafHash(Uint8Array.of(i, size)));
        const root = treeHash(leaves);
        const index = pick % size;
        const path = auditPath(leaves, index);
        expect(verifyInclusion(leaves[index]!, index, size, path, root)).toBe(true);
        // Another leaf, another index or a changed path does not verify.
        const other = leafHash(Uint8Array.of(255, 255));
        expect(verifyInclusion(other, index, size, path, root)).toBe(false);
        if (size > 1)
          expect(verifyInclusion(leaves[index]!, (index + 1) % size, size, path, root)).toBe(false);
        if (path.length > 0) {
          const bent = path.map((p, i) => (i === 0 ? leafHash(p) : p));
          expect(verifyInclusion(leaves[index]!, index, size, bent, root)).toBe(false);
        }
      }),
    );
  });
});

const aLeaf = (id: string, receivedAt: string, verdict: LedgerLeaf['verdict'] = 'accepted'): LedgerLeaf => ({
  id,
  country: id.slice(0, 2),
  key: `incoming/op/${id.slice(0, 2)}/${id}.csv`,
  versionId: null,
  sha256: 'a'.repeat(64),
  receivedAt,
  verdict,
});

describe('the ledger tree', () => {
  const entries = [
    aLeaf('KE-2', '2025-11-12T10:00:00.000Z', 'rejected'),
    aLeaf('BR-1', '2025-11-11T10:00:00.000Z', 'superseded'),
    aLeaf('BR-3', '2025-11-13T10:00:00.000Z'),
    aLeaf('AR-1', '2025-11-12T10:00:00.000Z'),
  ];

  it('orders leaves by receipt time, then id, whatever order the ledger was read in', () => {
    expect(ledgerLeaves(entries).map((l) => l.id)).toEqual(['BR-1', 'AR-1', 'KE-2', 'BR-3']);
    expect(ledgerRoot(ledgerLeaves([...entries].reverse()))).toEqual(ledgerRoot(ledgerLeaves(entries)));
  });

  it('proves each submission against the root, and no changed leaf', () => {
    const leaves = ledgerLeaves(entries);
    const { root } = ledgerRoot(leaves);
    for (const leaf of leaves) {
      const proof = inclusionProof(leaves, leaf.id)!;
      expect(checkInclusion(proof, root)).toBe(true);
      expect(
        checkInclusion(
          { ...proof, leaf: { ...proof.leaf, verdict: 'accepted', sha256: 'b'.repeat(64) } },
          root,
        ),
      ).toBe(false);
    }
    expect(inclusionProof(leaves, 'FR-9')).toBeNull();
  });

  it('refuses a proof against another root', () => {
    const leaves = ledgerLeaves(entries);
    const proof = inclusionProof(leaves, 'KE-2')!;
    expect(checkInclusion(proof, ledgerRoot(leaves.slice(1)).root)).toBe(false);
    expect(checkInclusion(proof, 'not a root')).toBe(false);
  });
});
