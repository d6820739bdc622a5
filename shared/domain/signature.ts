import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { canonicalJson, type Manifest } from './final-export.ts';

/** The one signature scheme of final manifests: ECDSA on P-256 over SHA-256, DER-encoded. */
export const SIGNATURE_ALGORITHM = 'ECDSA_P256_SHA256';

/**
 * The signature of a frozen manifest, stored next to it and carried (or linked) by every export:
 * it signs the UTF-8 bytes of the manifest's canonical JSON — the very bytes its SHA-256 digest is
 * computed over — so checking it needs only the manifest and the public key.
 */
export type ManifestSignature = {
  algorithm: typeof SIGNATURE_ALGORITHM;
  /** Which key signed (a KMS key ARN, or the local key's fingerprint). */
  keyId: string;
  manifestSha256: string;
  /** Base64 of the DER-encoded ECDSA signature. */
  signature: string;
  signedAt: string;
};

/** The bytes a manifest's signature covers. */
export function signedBytes(manifest: Manifest): Buffer {
  return Buffer.from(canonicalJson(manifest), 'utf8');
}

/** Whether `signature` is a valid signature of `manifest` by the key `publicKeyPem`. */
export function checkSignature(
  manifest: Manifest,
  signature: ManifestSignature,
  publicKeyPem: string,
): boolean {
  if (signature.algorithm !== SIGNATURE_ALGORITHM) return false;
  try {
    return verify(
      'sha256',
      signedBytes(manifest),
      createPublicKey(publicKeyPem),
      Buffer.from(signature.signature, 'base64'),
    );
  } catch {
    return false;
  }
}

/** A public key in the two forms auditors' tools read: PEM (SPKI) and JWK. */
export function publicKeyForms(publicKeyPem: string): { pem: string; jwk: JsonWebKey } {
  const key = createPublicKey(publicKeyPem);
  return { pem: key.export({ type: 'spki', format: 'pem' }).toString(), jwk: key.export({ format: 'jwk' }) };
}
