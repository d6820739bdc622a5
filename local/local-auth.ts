import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';
import type { Role } from '../shared/domain/policy.ts';

const ISSUER = 'optally-local';
const AUDIENCE = 'optally';

/**
 * The local stack's token issuer: HS256 tokens signed with a secret kept under the data folder,
 * carrying the same claims the handlers read on AWS (`role`, `country`).
 */
export class LocalIssuer {
  private constructor(readonly secret: Uint8Array) {}

  /** Loads the issuer's secret from `dataDir`, creating it on first use. */
  static async open(dataDir: string): Promise<LocalIssuer> {
    const file = join(dataDir, 'jwt-secret');
    try {
      return new LocalIssuer(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url'));
    } catch {
      const secret = randomBytes(32);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, secret.toString('base64url'), { mode: 0o600 });
      return new LocalIssuer(secret);
    }
  }

  /** A signed token for a role (and, for an agency, its country). */
  async token(role: Role, country?: string, expiresIn: string | number | Date = '30d'): Promise<string> {
    return new SignJWT({ role, ...(country ? { country } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(country ? `${role}-${country}` : role)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(this.secret);
  }

  /** The token's claims when it is valid (signature, issuer, audience, expiry), else null. */
  async verify(token: string): Promise<Record<string, unknown> | null> {
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
      });
      return payload as Record<string, unknown>;
    } catch {
      return null;
    }
  }
}

/**
 * True when a request's Host header names the local stack itself: `127.0.0.1:{port}` or
 * `localhost:{port}` (the port may be left out when it is 80). The gateway listens on 127.0.0.1
 * only, but a web page elsewhere can point its own host name at 127.0.0.1 (DNS rebinding) and
 * read same-origin answers; its requests still carry its host name, so routes that hand out
 * tokens answer only requests for our own address.
 */
export function isOwnLoopbackHost(host: string | undefined, port: number): boolean {
  const own = ['127.0.0.1', 'localhost'].flatMap((name) => [
    `${name}:${port}`,
    ...(port === 80 ? [name] : []),
  ]);
  return host !== undefined && own.includes(host.toLowerCase());
}
