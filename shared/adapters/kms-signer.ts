import { createHash } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { Signer } from '../app/sign-manifest.ts';

/**
 * Final manifests signed by a KMS asymmetric key (ECC_NIST_P256, SIGN_VERIFY): the private key
 * never leaves KMS. KMS is given the SHA-256 digest of the message (MessageType DIGEST), so a
 * manifest of any size can be signed; the signature is the same DER ECDSA signature Node's
 * `crypto.verify('sha256', message, …)` checks.
 */
export class KmsSigner implements Signer {
  #publicKey: Promise<string> | null = null;

  constructor(
    private readonly kms: KMSClient,
    readonly keyId: string,
  ) {}

  async sign(message: Uint8Array): Promise<Buffer> {
    const out = await this.kms.send(
      new SignCommand({
        KeyId: this.keyId,
        Message: createHash('sha256').update(message).digest(),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    if (!out.Signature) throw new Error(`KMS returned no signature for key ${this.keyId}`);
    return Buffer.from(out.Signature);
  }

  /** The public key (SPKI PEM), read once per function instance. */
  publicKeyPem(): Promise<string> {
    this.#publicKey ??= this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyId })).then((out) => {
      if (!out.PublicKey) throw new Error(`KMS returned no public key for key ${this.keyId}`);
      const base64 = Buffer.from(out.PublicKey).toString('base64');
      return `-----BEGIN PUBLIC KEY-----\n${base64.match(/.{1,64}/g)?.join('\n')}\n-----END PUBLIC KEY-----\n`;
    });
    this.#publicKey.catch(() => {
      this.#publicKey = null;
    });
    return this.#publicKey;
  }
}
