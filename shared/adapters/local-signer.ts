import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Signer } from '../app/sign-manifest.ts';

/**
 * The local stack's signing key: an ECDSA P-256 key pair generated at first start in the data
 * folder (`signing-key.pem`, mode 0600), standing in for the KMS key of a deployment. Its key id is
 * the SHA-256 fingerprint of the public key.
 */
export class LocalSigner implements Signer {
  private constructor(
    private readonly privateKeyPem: string,
    readonly keyId: string,
    private readonly publicPem: string,
  ) {}

  static async open(dataDir: string): Promise<LocalSigner> {
    const file = join(dataDir, 'signing-key.pem');
    if (!existsSync(file)) {
      await mkdir(dataDir, { recursive: true });
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      await chmod(file, 0o600);
    }
    const pem = await readFile(file, 'utf8');
    const publicPem = createPublicKey(createPrivateKey(pem))
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const der = createPublicKey(publicPem).export({ type: 'spki', format: 'der' });
    return new LocalSigner(pem, `local:sha256:${createHash('sha256').update(der).digest('hex')}`, publicPem);
  }

  async sign(message: Uint8Array): Promise<Buffer> {
    return sign('sha256', message, createPrivateKey(this.privateKeyPem));
  }

  async publicKeyPem(): Promise<string> {
    return this.publicPem;
  }
}
