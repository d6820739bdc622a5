import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Who signs in at the test provider's authorize endpoint (there is no sign-in page: it is this user). */
export type TestUser = { sub: string; email: string; groups: string[]; country?: string };

/** Options of `startOidcProvider`. */
export type OidcProviderOptions = {
  clientId: string;
  /** Redirect URIs the client registered; any other is refused, as Cognito does. */
  redirectUris: readonly string[];
  user: TestUser;
  /** Makes the ID token; default: an unsigned Cognito-shaped JWT (the API under test decides what it accepts). */
  idToken?: (user: TestUser) => Promise<string>;
  /**
   * The host name the provider advertises in `/config.json` (its port stays the real one): a name
   * only a test proxy resolves proves a client went through the proxy.
   */
  advertisedHost?: string;
  /** Lifetime of the ID and access tokens, in seconds (`expires_in`). @default 3600 */
  expiresIn?: number;
  /**
   * Refresh-token rotation, as the stack configures Cognito: each refresh answers a new refresh
   * token and the one used stops working. @default false
   */
  rotateRefreshTokens?: boolean;
  /** The user declines (or fails) to sign in: authorize answers `error=access_denied`. @default false */
  refuseSignIn?: boolean;
};

/** A running test provider and what it saw. */
export type OidcProvider = {
  /** `http://127.0.0.1:{port}`: where the test reaches it. */
  url: string;
  /** The sign-in domain it advertises in `/config.json`. */
  advertisedUrl: string;
  /** ID tokens issued, newest last. */
  idTokens: string[];
  /** Refresh tokens issued, and those revoked. */
  refreshTokens: Set<string>;
  revoked: Set<string>;
  /** `{grant_type} {outcome}` for each token request, e.g. `authorization_code ok`, `refresh_token invalid_grant`. */
  tokenRequests: string[];
  close(): Promise<void>;
};

/**
 * A real OIDC-shaped identity provider over HTTP, shaped like Cognito's: `/oauth2/authorize` (the
 * user is already signed in: it redirects straight back with a code), `/oauth2/token` (the code
 * grant, verifying the PKCE verifier against the S256 challenge and the redirect URI; the refresh
 * grant), `/oauth2/revoke`, `/logout?client_id&logout_uri`, and `/config.json` as the stack
 * publishes it. Token requests answer CORS, as Cognito's do, so a dashboard can call them.
 */
export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcProvider> {
  const codes = new Map<string, { challenge: string; redirectUri: string; nonce: string | null }>();
  const provider: Omit<OidcProvider, 'url' | 'advertisedUrl' | 'close'> = {
    idTokens: [],
    refreshTokens: new Set(),
    revoked: new Set(),
    tokenRequests: [],
  };
  const makeIdToken = options.idToken ?? unsignedIdToken;
  let advertisedUrl = '';
  const expiresIn = options.expiresIn ?? 3600;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://provider');
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type' };
    const json = (status: number, body: unknown) =>
      res
        .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...cors })
        .end(JSON.stringify(body));
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST' }).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/config.json') {
      json(200, {
        region: 'test-region-1',
        userPoolClientId: options.clientId,
        signInDomainUrl: advertisedUrl,
        issuer: advertisedUrl,
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
      const p = url.searchParams;
      const redirectUri = p.get('redirect_uri') ?? '';
      if (p.get('client_id') !== options.clientId || !options.redirectUris.includes(redirectUri)) {
        res.writeHead(400).end('redirect_mismatch');
        return;
      }
      const back = new URL(redirectUri);
      if (
        p.get('response_type') !== 'code' ||
        p.get('code_challenge_method') !== 'S256' ||
        !p.get('code_challenge')
      ) {
        back.searchParams.set('error', 'invalid_request');
      } else if (options.refuseSignIn) {
        back.searchParams.set('error', 'access_denied');
      } else {
        const code = randomBytes(12).toString('hex');
        codes.set(code, { challenge: p.get('code_challenge')!, redirectUri, nonce: p.get('nonce') });
        back.searchParams.set('code', code);
      }
      if (p.get('state')) back.searchParams.set('state', p.get('state')!);
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      const form = new URLSearchParams(await body(req));
      const grant = form.get('grant_type') ?? '';
      const refuse = (error: string) => {
        provider.tokenRequests.push(`${grant} ${error}`);
        json(400, { error });
      };
      if (form.get('client_id') !== options.clientId) return refuse('invalid_client');
      if (grant === 'authorization_code') {
        const issued = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (!issued || issued.redirectUri !== form.get('redirect_uri')) return refuse('invalid_grant');
        const challenge = createHash('sha256')
          .update(form.get('code_verifier') ?? '')
          .digest('base64url');
        if (challenge !== issued.challenge) return refuse('invalid_grant');
        const refreshToken = randomBytes(24).toString('hex');
        provider.refreshTokens.add(refreshToken);
        const idToken = await makeIdToken(options.user);
        provider.idTokens.push(idToken);
        provider.tokenRequests.push(`${grant} ok`);
        json(200, {
          id_token: idToken,
          access_token: idToken,
          refresh_token: refreshToken,
          token_type: 'Bearer',
          expires_in: expiresIn,
        });
        return;
      }
      if (grant === 'refresh_token') {
        const token = form.get('refresh_token') ?? '';
        if (!provider.refreshTokens.has(token) || provider.revoked.has(token)) return refuse('invalid_grant');
        const idToken = await makeIdToken(options.user);
        provider.idTokens.push(idToken);
        provider.tokenRequests.push(`${grant} ok`);
        let rotated: string | undefined;
        if (options.rotateRefreshTokens) {
          provider.revoked.add(token);
          rotated = randomBytes(24).toString('hex');
          provider.refreshTokens.add(rotated);
        }
        json(200, {
          id_token: idToken,
          access_token: idToken,
          token_type: 'Bearer',
          expires_in: expiresIn,
          ...(rotated ? { refresh_token: rotated } : {}),
        });
        return;
      }
      return refuse('unsupported_grant_type');
    }
    if (req.method === 'POST' && url.pathname === '/oauth2/revoke') {
      const form = new URLSearchParams(await body(req));
      if (form.get('client_id') !== options.clientId) {
        json(400, { error: 'invalid_client' });
        return;
      }
      provider.revoked.add(form.get('token') ?? '');
      res.writeHead(200, cors).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/logout') {
      const logoutUri = url.searchParams.get('logout_uri') ?? '';
      if (
        url.searchParams.get('client_id') !== options.clientId ||
        !options.redirectUris.includes(logoutUri)
      ) {
        res.writeHead(400).end('invalid logout_uri');
        return;
      }
      res.writeHead(302, { location: logoutUri }).end();
      return;
    }
    res.writeHead(404).end();
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => res.writeHead(500).end(String(e)));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const url = `http://127.0.0.1:${address.port}`;
  advertisedUrl = `http://${options.advertisedHost ?? '127.0.0.1'}:${address.port}`;
  return {
    ...provider,
    url,
    advertisedUrl,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  } as OidcProvider;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => ok(text));
    req.on('error', fail);
  });
}

/** A Cognito-shaped ID token, unsigned (alg none): for clients that only read it. */
export async function unsignedIdToken(user: TestUser): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({
    sub: user.sub,
    email: user.email,
    'cognito:groups': user.groups,
    ...(user.country ? { 'custom:country': user.country } : {}),
    token_use: 'id',
    iat: now,
    exp: now + 3600,
    jti: randomBytes(8).toString('hex'),
  })}.`;
}
