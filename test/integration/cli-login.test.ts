import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OidcProvider, startOidcProvider } from '../support/oidc-provider.ts';
import { type Ran, runCli } from '../support/run-cli.ts';

const BIN = fileURLToPath(new URL('../../bin/optally.js', import.meta.url));
const CLIENT_ID = 'optally-test-client';
/** A host name only the test proxy resolves: the provider is advertised under it. */
const IDP_HOST = 'idp.test';

/**
 * `optally login` / `logout` and signed-in commands, run as users run them (a child process), against
 * a real OIDC-shaped provider over HTTP (test/support/oidc-provider.ts) and a small API that accepts
 * only the ID tokens that provider issued. The browser's part — following the authorize redirect
 * to the loopback callback — is done with plain HTTP requests. Every request of the CLI to the
 * provider goes through a proxy (HTTP_PROXY), the only way to resolve its host name.
 */
describe('optally login', () => {
  let provider: OidcProvider;
  let api: { server: Server; url: string; bearers: string[] };
  let proxy: { server: Server; url: string; tunnels: string[] };
  let home: string;
  let redirectUri: string;
  let redirectUris: string[];

  beforeAll(async () => {
    proxy = await tunnellingProxy();
  });
  afterAll(() => new Promise<void>((ok) => proxy.server.close(() => ok())));

  beforeEach(async () => {
    redirectUri = `http://127.0.0.1:${await freePort()}/callback`;
    redirectUris = [redirectUri];
    provider = await startOidcProvider({
      clientId: CLIENT_ID,
      redirectUris,
      user: { sub: 'u-1', email: 'agency@br.example', groups: ['agency'], country: 'BR' },
      advertisedHost: IDP_HOST,
    });
    api = await testApi(provider);
    home = await mkdtemp(join(tmpdir(), 'optally-login-'));
  });
  afterEach(async () => {
    await provider.close();
    api.server.closeAllConnections();
    await new Promise<void>((ok) => api.server.close(() => ok()));
    await rm(home, { recursive: true, force: true });
  });

  const env = () => ({
    XDG_CONFIG_HOME: home,
    OPTALLY_LOGIN_REDIRECT_URI: redirectUri,
    HTTP_PROXY: proxy.url,
  });
  const credentialsFile = () => join(home, 'optally', 'credentials.json');
  const cli = (args: string[], extra: Record<string, string> = {}): Promise<Ran> =>
    runCli([process.execPath, BIN], [...args, '--api', api.url], { cwd: home, env: { ...env(), ...extra } });

  /** Runs `optally login`, signs in "in the browser" by following the printed address, and waits for the end. */
  async function login(): Promise<Ran & { callback: { status: number; text: string } }> {
    const child = spawn(
      process.execPath,
      [BIN, 'login', '--no-browser', '--timeout', '30', '--api', api.url],
      {
        cwd: home,
        env: { ...cleanEnv(), ...env() },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const address = await new Promise<string>((ok, fail) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const found = /^\s+(http\S+)$/m.exec(stderr);
        if (found?.[1]) ok(found[1]);
      });
      child.on('close', () => fail(new Error(`login ended before printing an address: ${stderr}`)));
    });
    const callback = await browse(address);
    const code = await new Promise<number | null>((ok) => {
      if (child.exitCode !== null) ok(child.exitCode);
      else child.on('close', ok);
    });
    return { code, stdout, stderr, callback };
  }

  it('signs in with the code and PKCE, and keeps the refresh token in a file only the user can read', async () => {
    const ran = await login();

    expect(ran.code).toBe(0);
    expect(ran.callback).toEqual({
      status: 200,
      text: 'Signed in to optally. You can close this tab and go back to the terminal.\n',
    });
    expect(ran.stdout).toContain(`Signed in to ${api.url} as agency@br.example (agency of BR).`);
    expect(provider.tokenRequests).toEqual(['authorization_code ok']);
    expect((await stat(credentialsFile())).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, 'optally'))).mode & 0o777).toBe(0o700);
    const saved = JSON.parse(await readFile(credentialsFile(), 'utf8')) as {
      sessions: Record<string, { refreshToken: string; clientId: string; tokenEndpoint: string }>;
    };
    expect(saved.sessions[api.url]).toMatchObject({
      refreshToken: [...provider.refreshTokens][0],
      clientId: CLIENT_ID,
      tokenEndpoint: `${provider.advertisedUrl}/oauth2/token`,
    });
  });

  it('receives the answer on localhost, the host Cognito allows plain http for', async () => {
    redirectUri = redirectUri.replace('127.0.0.1', 'localhost');
    redirectUris.push(redirectUri);

    const ran = await login();

    expect(ran.code).toBe(0);
    expect(ran.callback.status).toBe(200);
  });

  it('sends its token requests through HTTP_PROXY', async () => {
    proxy.tunnels.length = 0;

    await login();

    expect(proxy.tunnels).toEqual([`${IDP_HOST}:${new URL(provider.url).port}`]);
  });

  it('gives every later command a fresh ID token from the refresh token', async () => {
    await login();

    const ran = await cli(['status']);

    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('No operation is open for returns.');
    expect(provider.tokenRequests).toEqual(['authorization_code ok', 'refresh_token ok']);
    expect(api.bearers.at(-1)).toBe(provider.idTokens.at(-1));
  });

  it('keeps the new refresh token each refresh answers, as Cognito rotates them', async () => {
    await provider.close();
    provider = await startOidcProvider({
      clientId: CLIENT_ID,
      redirectUris,
      user: { sub: 'u-1', email: 'agency@br.example', groups: ['agency'], country: 'BR' },
      advertisedHost: IDP_HOST,
      rotateRefreshTokens: true,
    });
    api.server.close();
    api = await testApi(provider);
    await login();

    const first = await cli(['status']);
    const second = await cli(['status']);

    expect([first.code, second.code]).toEqual([0, 0]);
    expect(provider.tokenRequests).toEqual(['authorization_code ok', 'refresh_token ok', 'refresh_token ok']);
    const saved = JSON.parse(await readFile(credentialsFile(), 'utf8')) as {
      sessions: Record<string, { refreshToken: string }>;
    };
    expect(saved.sessions[api.url]?.refreshToken).toBe([...provider.refreshTokens].at(-1));
  });

  it('lets OPTALLY_TOKEN win over the sign-in, for automation', async () => {
    await login();

    const ran = await cli(['status'], { OPTALLY_TOKEN: 'automation-token' });

    expect(ran.code).toBe(2);
    expect(api.bearers.at(-1)).toBe('automation-token');
    expect(provider.tokenRequests).toEqual(['authorization_code ok']);
  });

  it('ignores an answer that does not carry its state, and keeps waiting for the right one', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'login', '--no-browser', '--timeout', '30', '--api', api.url],
      {
        cwd: home,
        env: { ...cleanEnv(), ...env() },
      },
    );
    let stderr = '';
    const address = await new Promise<string>((ok) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const found = /^\s+(http\S+)$/m.exec(stderr);
        if (found?.[1]) ok(found[1]);
      });
    });
    const forged = await fetch(`${redirectUri}?code=stolen&state=not-the-one`);
    const real = await browse(address);
    const code = await new Promise<number | null>((ok) => child.on('close', ok));

    expect(forged.status).toBe(400);
    expect(real.status).toBe(200);
    expect(code).toBe(0);
    expect(provider.tokenRequests).toEqual(['authorization_code ok']);
  });

  it('logout revokes the refresh token and deletes the file', async () => {
    await login();
    const refreshToken = [...provider.refreshTokens][0];

    const ran = await cli(['logout']);

    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain(`Signed out of ${api.url} (agency@br.example)`);
    expect(provider.revoked).toEqual(new Set([refreshToken]));
    await expect(stat(credentialsFile())).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('after logout, commands no longer act as the user', async () => {
    await login();
    await cli(['logout']);

    const ran = await cli(['status']);

    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('No token: sign in with optally login --api');
    expect(provider.tokenRequests).toEqual(['authorization_code ok']);
  });

  it('says to sign in again when the sign-in was revoked elsewhere', async () => {
    await login();
    for (const token of provider.refreshTokens) provider.revoked.add(token);

    const ran = await cli(['status']);

    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(
      `Your sign-in to ${api.url} (agency@br.example) has expired or was revoked: run optally login --api ${api.url}.`,
    );
  });

  it('refuses an API whose origin publishes no sign-in, pointing at OPTALLY_TOKEN', async () => {
    const bare = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((ok) => bare.listen(0, '127.0.0.1', () => ok()));
    const address = bare.address() as { port: number };

    const ran = await runCli(
      [process.execPath, BIN],
      ['login', '--no-browser', '--api', `http://127.0.0.1:${address.port}`],
      { cwd: home, env: env() },
    );
    bare.close();

    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('offers no sign-in');
    expect(ran.stderr).toContain('OPTALLY_TOKEN');
  });
});

/**
 * Follows the authorize address as a browser would: the provider (reached directly, under its real
 * address) redirects to the loopback callback, which answers.
 */
async function browse(address: string): Promise<{ status: number; text: string }> {
  const authorize = new URL(address);
  authorize.hostname = '127.0.0.1';
  const redirect = await fetch(authorize, { redirect: 'manual' });
  const location = redirect.headers.get('location');
  if (redirect.status !== 302 || !location) throw new Error(`authorize answered ${redirect.status}`);
  const callback = await fetch(location);
  return { status: callback.status, text: await callback.text() };
}

/** The API's origin: /config.json naming the provider, and GET /operations for its ID tokens only. */
async function testApi(provider: OidcProvider): Promise<{ server: Server; url: string; bearers: string[] }> {
  const bearers: string[] = [];
  const server = createServer((req, res) => {
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/config.json') {
      json(200, {
        userPoolClientId: CLIENT_ID,
        signInDomainUrl: provider.advertisedUrl,
        issuer: provider.advertisedUrl,
      });
      return;
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer) bearers.push(bearer);
    if (!bearer || !provider.idTokens.includes(bearer)) {
      json(401, { error: 'unauthorized', message: 'Unknown token.' });
      return;
    }
    if (req.url?.startsWith('/operations')) json(200, { operations: [] });
    else json(404, { error: 'not-found', message: 'No such route.' });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}`, bearers };
}

/** The environment of a CLI run: the test process's, less the variables each test sets itself. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(OPTALLY_|HTTPS?_PROXY$|NO_PROXY$)/i.test(name)) env[name] = value;
  }
  return env;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

/** An HTTP proxy that tunnels every CONNECT to the same port on 127.0.0.1, recording the targets. */
async function tunnellingProxy(): Promise<{ server: Server; url: string; tunnels: string[] }> {
  const tunnels: string[] = [];
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    tunnels.push(target);
    const upstream = connect(Number(target.split(':').at(-1)), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}`, tunnels };
}
