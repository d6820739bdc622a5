import type { Manifest } from '../domain/final-export.ts';
import { manifestDigest } from '../domain/final-export.ts';
import { type ManifestSignature, SIGNATURE_ALGORITHM, signedBytes } from '../domain/signature.ts';

/**
 * What signs final manifests: a KMS asymmetric key on AWS (the private key never leaves KMS), a
 * key pair in the data folder on the local stack. ECDSA P-256 with SHA-256, DER signatures.
 */
export type Signer = {
  readonly keyId: string;
  sign(message: Uint8Array): Promise<Buffer>;
  publicKeyPem(): Promise<string>;
};

/** Signs a manifest (its canonical JSON bytes). */
export async function signManifest(
  signer: Signer,
  manifest: Manifest,
  now: Date,
): Promise<ManifestSignature> {
  return {
    algorithm: SIGNATURE_ALGORITHM,
    keyId: signer.keyId,
    manifestSha256: manifestDigest(manifest),
    signature: (await signer.sign(signedBytes(manifest))).toString('base64'),
    signedAt: now.toISOString(),
  };
}
