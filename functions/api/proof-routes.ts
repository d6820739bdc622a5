import type { PublicKey, UploadProof } from '../../shared/api/responses.ts';
import { proofOfUpload } from '../../shared/app/final-proof.ts';
import { finalSignatureKey } from '../../shared/domain/object-keys.ts';
import {
  type ManifestSignature,
  publicKeyForms,
  SIGNATURE_ALGORITHM,
} from '../../shared/domain/signature.ts';
import { type ApiRequest, type ApiResponse, HttpError, json, msg } from './http.ts';
import { type ApiDeps, allow, operationOr404 } from './route-kit.ts';

/**
 * GET /operations/{op}/final/public-key (public): the key final manifests are signed with, as PEM
 * and JWK (`?format=pem` answers the PEM alone), so anyone can check a signature offline.
 */
export async function publicKey(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const record = await operationOr404(req, deps);
  if (!deps.signer) throw new HttpError('signing-unavailable', msg('error.signing-unavailable'));
  const { pem, jwk } = publicKeyForms(await deps.signer.publicKeyPem());
  if (req.query.format === 'pem') {
    return { statusCode: 200, headers: { 'content-type': 'application/x-pem-file' }, body: pem };
  }
  return json(200, {
    operation: record.definition.id,
    algorithm: SIGNATURE_ALGORITHM,
    keyId: deps.signer.keyId,
    pem,
    jwk,
  } satisfies PublicKey);
}

/** GET /operations/{op}/final/signature: the signature of the frozen final manifest. */
export async function finalSignature(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const record = await operationOr404(req, deps);
  allow(req, { kind: 'read-final', status: record.status });
  const signature =
    record.status === 'final'
      ? await deps.objects.getJson<ManifestSignature>(finalSignatureKey(record.definition.id))
      : null;
  if (!signature) {
    throw new HttpError(
      'not-final',
      msg('error.not-final.manifest', { name: record.definition.name, status: record.status }),
    );
  }
  return json(200, signature satisfies ManifestSignature);
}

/**
 * GET /operations/{op}/uploads/{uploadId}/proof: the inclusion proof of the slot's file in the
 * signed ledger (its agency, coordinators, auditors, admins), once the operation is final.
 */
export async function uploadProof(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const record = await operationOr404(req, deps);
  const uploadId = req.params.uploadId ?? '';
  const slot = await deps.repo.getSlot(record.definition.id, uploadId);
  allow(req, { kind: 'read-submission', country: slot?.country ?? req.principal?.country ?? '' });
  const proof = await proofOfUpload(deps, record, uploadId);
  if (!proof.ok) throw HttpError.refused(proof.error);
  return json(200, proof.value satisfies UploadProof);
}
