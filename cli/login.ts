import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { principalFromClaims } from '../shared/domain/policy.ts';
import {
  CLI_REDIRECT_URI,
  SIGN_IN_SCOPES,
  type SignInEndpoints,
  signInEndpoints,
} from '../shared/domain/sign-in.ts';
import { msg } from '../shared/i18n/text.ts';
import type { GlobalOptions, Outcome } from './context.ts';
import {
  type Credentials,
  credentialsPath,
  deleteCredentials,
  loadCredentials,
  saveCredentials,
} from './credentials.ts';
import { CliError, EXIT } from './errors.ts';
import { say, sayText } from './lang.ts';
import { fetch } from './network.ts';

/**
 * `optally login` and `optally logout`: the authorization-code flow with PKCE against the API's
 * identity provider (Cognito's managed login on AWS), a loopback server receiving the code, and the
 * refresh token kept in the user's config folder; every command then gets a fresh ID token with it.
 * Every request goes through the CLI's fetch, so HTTPS_PROXY and NO_PROXY are honoured.
 */

/** Options of `optally login`. */
export type LoginOptions = { browser: boolean; timeout: number };

/** Where the code comes back: CLI_REDIRECT_URI, unless OPTALLY_LOGIN_REDIRECT_URI names another loopback URL. */
function redirectUri(): URL {
  const uri = new URL(process.env.OPTALLY_LOGIN_REDIRECT_URI || CLI_REDIRECT_URI);
  if (uri.protocol !== 'http:' || !['localhost', '127.0.0.1'].includes(uri.hostname) || !uri.port) {
    throw new CliError(msg('cli.login.redirect-uri', { uri: uri.href }));
  }
  return uri;
}

/** Signs in to the API's identity provider in the browser and saves the refresh token. */
export async function login(opts: LoginOptions, globals: GlobalOptions): Promise<Outcome> {
  const endpoints = await discover(globals.api);
  const redirect = redirectUri();
  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const authorize = new URL(endpoints.authorizationEndpoint);
  for (const [name, value] of Object.entries({
    response_type: 'code',
    client_id: endpoints.clientId,
    redirect_uri: redirect.href,
    scope: SIGN_IN_SCOPES.join(' '),
    state,
    code_challenge: base64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  })) {
    authorize.searchParams.set(name, value);
  }

  const callback = await awaitCallback(redirect, state, opts.timeout * 1000);
  try {
    process.stderr.write(`${say('cli.login.open', { url: authorize.href, seconds: opts.timeout })}\n`);
    if (opts.browser) openBrowser(authorize.href);
    const code = await callback.code;
    const tokens = await tokenRequest(endpoints.tokenEndpoint, {
      grant_type: 'authorization_code',
      client_id: endpoints.clientId,
      code,
      redirect_uri: redirect.href,
      code_verifier: verifier,
    });
    if (!tokens.refresh_token)
      throw new CliError(msg('cli.login.no-refresh-token', { endpoint: endpoints.tokenEndpoint }));
    const who = describe(tokens.id_token);
    const credentials: Credentials = {
      api: globals.api,
      clientId: endpoints.clientId,
      tokenEndpoint: endpoints.tokenEndpoint,
      revocationEndpoint: endpoints.revocationEndpoint,
      refreshToken: tokens.refresh_token,
      user: who.user,
      signedInAt: new Date().toISOString(),
    };
    const file = credentialsPath();
    await saveCredentials(credentials, file);
    return {
      exitCode: EXIT.accepted,
      text: say('cli.login.signed-in', { api: globals.api, user: who.user, role: who.shown, file }),
      json: { api: globals.api, user: who.user, role: who.role, country: who.country, credentialsFile: file },
    };
  } finally {
    callback.close();
  }
}

/** Revokes the saved refresh token of the API and deletes it. */
export async function logout(globals: GlobalOptions): Promise<Outcome> {
  const file = credentialsPath();
  const saved = await loadCredentials(globals.api, file);
  if (!saved) {
    return {
      exitCode: EXIT.accepted,
      text: say('cli.login.not-signed-in', { api: globals.api }),
      json: { api: globals.api, signedOut: false, revoked: false },
    };
  }
  // Forgotten here whatever the identity provider answers: a token that cannot be revoked now still
  // expires, and keeping it would leave the user signed in after asking not to be.
  await deleteCredentials(globals.api, file);
  let res: Awaited<ReturnType<typeof fetch>>;
  try {
    res = await fetch(saved.revocationEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: saved.refreshToken, client_id: saved.clientId }).toString(),
    });
  } catch (e) {
    throw new CliError(
      msg('cli.login.revoke-unreachable', { endpoint: saved.revocationEndpoint, reason: reason(e) }),
      EXIT.failure,
      'revoke-failed',
      { cause: e },
    );
  }
  if (!res.ok) {
    const answer = `${res.status} ${await res.text().catch(() => '')}`.trim();
    throw new CliError(msg('cli.login.revoke-refused', { answer }), EXIT.failure, 'revoke-failed');
  }
  return {
    exitCode: EXIT.accepted,
    text: say('cli.login.signed-out', { api: globals.api, user: saved.user, file }),
    json: { api: globals.api, signedOut: true, revoked: true },
  };
}

/**
 * A fresh ID token for `api` from the refresh token `optally login` saved, or null when nobody
 * signed in to it here. Throws, saying to sign in again, when the sign-in expired or was revoked.
 */
export async function signedInToken(api: string): Promise<string | null> {
  const saved = await loadCredentials(api);
  if (!saved) return null;
  let tokens: TokenResponse;
  try {
    tokens = await tokenRequest(saved.tokenEndpoint, {
      grant_type: 'refresh_token',
      client_id: saved.clientId,
      refresh_token: saved.refreshToken,
    });
  } catch (e) {
    if (e instanceof CliError && e.code === 'invalid_grant') {
      throw new CliError(msg('cli.login.expired', { api, user: saved.user }), EXIT.failure, 'signed-out', {
        cause: e,
      });
    }
    throw e;
  }
  // With refresh-token rotation on, the provider answers a new refresh token and retires the old one.
  if (tokens.refresh_token && tokens.refresh_token !== saved.refreshToken)
    await saveCredentials({ ...saved, refreshToken: tokens.refresh_token });
  if (!tokens.id_token) throw new CliError(msg('cli.login.no-id-token', { endpoint: saved.tokenEndpoint }));
  return tokens.id_token;
}

/** The sign-in endpoints the API's origin publishes in `/config.json`. */
async function discover(api: string): Promise<SignInEndpoints> {
  const url = `${new URL(api).origin}/config.json`;
  let res: Awaited<ReturnType<typeof fetch>>;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' } });
  } catch (e) {
    throw new CliError(
      msg('cli.login.config-unreachable', { url, reason: reason(e) }),
      EXIT.failure,
      'unreachable',
      {
        cause: e,
      },
    );
  }
  const config: unknown = res.ok ? await res.json().catch(() => null) : null;
  const endpoints = signInEndpoints(config);
  if (!endpoints) {
    throw new CliError(msg('cli.login.no-sign-in', { api, url, status: res.ok ? '' : `: ${res.status}` }));
  }
  return endpoints;
}

type TokenResponse = {
  id_token?: string;
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
};

/** POSTs a form to the token endpoint; an OAuth error becomes a CliError whose code is the error's. */
async function tokenRequest(endpoint: string, form: Record<string, string>): Promise<TokenResponse> {
  let res: Awaited<ReturnType<typeof fetch>>;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
    });
  } catch (e) {
    throw new CliError(
      msg('cli.login.idp-unreachable', { endpoint, reason: reason(e) }),
      EXIT.failure,
      'unreachable',
      {
        cause: e,
      },
    );
  }
  const body = (await res.json().catch(() => ({}))) as TokenResponse & {
    error?: string;
    error_description?: string;
  };
  if (!res.ok) {
    const error = body.error ?? `http-${res.status}`;
    const answer = `${res.status} ${error}${body.error_description ? `: ${body.error_description}` : ''}`;
    throw new CliError(
      msg('cli.login.idp-refused', { grant: form.grant_type ?? '', answer }),
      EXIT.failure,
      error,
    );
  }
  return body;
}

/**
 * Who an ID token names, read (not verified: the API verifies every token it receives): `role` as
 * the JSON output gives it, `shown` in the CLI's language.
 */
function describe(idToken: string | undefined): {
  user: string;
  role: string;
  shown: string;
  country: string | null;
} {
  const payload = idToken?.split('.')[1];
  let claims: Record<string, unknown> = {};
  try {
    if (payload)
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    // an unreadable token names nobody
  }
  const user = String(claims.email ?? claims['cognito:username'] ?? claims.sub ?? 'an unnamed user');
  const principal = principalFromClaims(claims);
  if (!principal.ok) {
    const role = `no optally role yet: ${principal.error.reason}`;
    return {
      user,
      role,
      shown: say('cli.login.no-role', { reason: sayText(principal.error.text) }),
      country: null,
    };
  }
  const { role, country } = principal.value;
  const shown = say('cli.login.role', { role, country: country ?? 'none' });
  return { user, role: country ? `${role} of ${country}` : role, shown, country };
}

/**
 * Listens on the redirect URI's port, on the loopback interface only, for the one request that
 * brings the code back; resolves with the code once the state matches, rejects on an error answer
 * or after `timeoutMs`.
 */
async function awaitCallback(
  redirect: URL,
  state: string,
  timeoutMs: number,
): Promise<{ code: Promise<string>; close(): void }> {
  let settle: { ok(code: string): void; fail(e: Error): void } = { ok: () => {}, fail: () => {} };
  const code = new Promise<string>((ok, fail) => {
    settle = { ok, fail };
  });
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', redirect);
    if (url.pathname !== redirect.pathname) {
      res.writeHead(404).end();
      return;
    }
    const reply = (status: number, text: string) =>
      res
        .writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
        .end(`${text}\n`);
    if (url.searchParams.get('state') !== state) {
      reply(400, say('cli.login.wrong-state'));
      return;
    }
    const error = url.searchParams.get('error');
    const received = url.searchParams.get('code');
    if (error || !received) {
      reply(400, say('cli.login.browser-failed', { error: error ?? 'no code' }));
      const description = url.searchParams.get('error_description');
      settle.fail(
        new CliError(
          msg('cli.login.refused', {
            error: `${error ?? 'no code'}${description ? `: ${description}` : ''}`,
          }),
        ),
      );
      return;
    }
    reply(200, say('cli.login.browser-done'));
    settle.ok(received);
  };
  // localhost may resolve to either loopback address in the browser: listen on both when possible.
  const servers: Server[] = [];
  const port = Number(redirect.port);
  for (const host of redirect.hostname === 'localhost' ? ['127.0.0.1', '::1'] : [redirect.hostname]) {
    const server = createServer(handle);
    try {
      await new Promise<void>((ok, fail) => {
        server.once('error', fail);
        server.listen(port, host, () => ok());
      });
      servers.push(server);
    } catch (e) {
      if (host === '::1') continue; // no IPv6 loopback on this machine
      for (const s of servers) s.close();
      throw new CliError(
        msg('cli.login.cannot-listen', { host, port, reason: reason(e) }),
        EXIT.failure,
        'cli-error',
        { cause: e },
      );
    }
  }
  const timer = setTimeout(
    () =>
      settle.fail(
        new CliError(msg('cli.login.timeout', { seconds: timeoutMs / 1000 }), EXIT.failure, 'timeout'),
      ),
    timeoutMs,
  );
  return {
    code,
    close() {
      clearTimeout(timer);
      for (const s of servers) s.close();
    },
  };
}

/** Opens the URL in the user's browser, best effort: the URL is printed anyway. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // no browser: the printed URL is the way
  }
}

function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

function reason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
}
