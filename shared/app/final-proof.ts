import type { ObjectStore } from '../adapters/objects.ts';
import type { Repository } from '../adapters/repository.ts';
import type { Manifest } from '../domain/final-export.ts';
import type { OperationRecord } from '../domain/ledger.ts';
import { type InclusionProof, inclusionProof, type LedgerLeaf } from '../domain/ledger-tree.ts';
import { finalLedgerKey, finalManifestKey, finalSignatureKey } from '../domain/object-keys.ts';
import { err, ok, type Result } from '../domain/result.ts';
import type { ManifestSignature } from '../domain/signature.ts';
import { msg, type Refusal, refusal } from '../i18n/text.ts';

export type ProofRefusal = Refusal<
  'not-final' | 'unknown-upload' | 'not-uploaded' | 'not-in-ledger' | 'final-not-frozen'
>;

/** What an agency keeps: the proof, and the signed root it leads to. */
export type UploadProof = {
  proof: InclusionProof;
  manifestSha256: string;
  ledger: NonNullable<Manifest['ledger']>;
  signature: ManifestSignature;
};

/**
 * The inclusion proof of the file sent through an upload slot, against the ledger root of the
 * signed final manifest: the agency can show its file is in the ledger (and with which verdict)
 * without trusting our servers. Exists once the operation is final.
 */
export async function proofOfUpload(
  stores: {
    repo: Pick<Repository, 'getSlot' | 'submissionsOfSlot'>;
    objects: Pick<ObjectStore, 'getJson'>;
  },
  record: OperationRecord,
  uploadId: string,
): Promise<Result<UploadProof, ProofRefusal>> {
  const op = record.definition.id;
  const slot = await stores.repo.getSlot(op, uploadId);
  if (!slot) return err(refusal('unknown-upload', msg('error.unknown-upload', { id: uploadId, op })));
  if (record.status !== 'final') {
    return err(
      refusal(
        'not-final',
        msg('error.not-final.proof', { name: record.definition.name, status: record.status }),
      ),
    );
  }
  const [manifest, signature, leaves] = await Promise.all([
    stores.objects.getJson<Manifest>(finalManifestKey(op)),
    stores.objects.getJson<ManifestSignature>(finalSignatureKey(op)),
    stores.objects.getJson<LedgerLeaf[]>(finalLedgerKey(op)),
  ]);
  if (!manifest?.ledger || !signature || !leaves) {
    return err(
      refusal('final-not-frozen', msg('error.final-not-frozen.ledger', { name: record.definition.name })),
    );
  }
  // A slot takes one file: the first S3 received.
  const [file] = (await stores.repo.submissionsOfSlot(op, slot.country, uploadId)).sort(
    (a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt) || a.id.localeCompare(b.id),
  );
  if (!file) return err(refusal('not-uploaded', msg('error.not-uploaded.proof', { id: uploadId })));
  const proof = inclusionProof(leaves, file.id);
  if (!proof) {
    return err(refusal('not-in-ledger', msg('error.not-in-ledger', { id: uploadId, op })));
  }
  return ok({ proof, manifestSha256: signature.manifestSha256, ledger: manifest.ledger, signature });
}
