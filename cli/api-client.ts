import type { Response } from 'undici';
import { ApiError, CliError, EXIT } from './errors.ts';
import { fetch, isLoopback } from './network.ts';

/** Who signed the token the client sends: a file when the CLI minted it for the local stack. */
export type TokenSource = { kind: 'env' } | { kind: 'minted'; secretFile: string } | { kind: 'none' };

/**
 * The one way the CLI talks to the optally API: adds the bearer token, turns a non-2xx answer
 * into an `ApiError` (status, code and message from the server's `{ error, message }`) and an
 * unreachable server into a `CliError` saying how to reach it.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | null,
    readonly tokenSource: TokenSource = { kind: 'none' },
  ) {}

  /** GET a JSON resource. */
  async getJson<T>(path: string): Promise<T> {
    return (await (await this.send('GET', path)).json()) as T;
  }

  /** POST a JSON body, answer JSON. */
  async postJson<T>(path: string, body: unknown): Promise<T> {
    const res = await this.send('POST', path, {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    return (await res.json()) as T;
  }

  /** POST raw bytes (sent as binary, so the server sees them unchanged), answer JSON. */
  async postBytes<T>(path: string, bytes: Uint8Array<ArrayBuffer>): Promise<T> {
    const res = await this.send('POST', path, {
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    return (await res.json()) as T;
  }

  /** GET a text resource. */
  async getText(path: string): Promise<string> {
    return (await this.send('GET', path)).text();
  }

  /** GET a binary resource. */
  async getBytes(path: string): Promise<Buffer> {
    return Buffer.from(await (await this.send('GET', path)).arrayBuffer());
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    init: { body?: string | Uint8Array<ArrayBuffer>; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: init.body });
    } catch (e) {
      throw unreachable(this.baseUrl, e);
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    let code = res.status === 401 ? 'unauthorized' : '';
    let message = text.slice(0, 300) || res.statusText;
    try {
      const body = JSON.parse(text) as { error?: unknown; message?: unknown };
      if (typeof body.error === 'string') code = body.error;
      if (typeof body.message === 'string') message = body.message;
    } catch {
      // not JSON: keep the text
    }
    const request = `${method} ${path.split('?')[0]}`;
    throw new ApiError(res.status, code, message, request, this.advice(res.status, code));
  }

  private advice(status: number, code: string): string | null {
    if (status === 401) {
      return this.tokenSource.kind === 'minted'
        ? `The CLI signed its token with ${this.tokenSource.secretFile}, which this stack no longer accepts (was it restarted with another data folder?): run the command again, or set OPTALLY_TOKEN.`
        : 'Set OPTALLY_TOKEN to a valid token for this API (it may be missing or expired; locally: npx optally token agency CC).';
    }
    if (status === 403)
      return 'Check --country and whose token you use (OPTALLY_TOKEN, or --country/--role on the local stack).';
    if (code === 'unknown-operation') return 'Check --operation; optally status lists the operations.';
    if (code === 'not-found')
      return `The API at ${this.baseUrl} has no such route: check --api (the base URL of the optally API).`;
    return null;
  }
}

/** Why a server could not be reached, and what to do about it. */
export function unreachable(url: string, e: unknown): CliError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const code =
    cause?.code ??
    cause?.message ??
    (e as { code?: string }).code ??
    (e instanceof Error ? e.message : String(e));
  if (code === 'ECONNREFUSED' && isLoopback(url)) {
    return new CliError(
      `The local stack is not running at ${url}: start it with npm start, or pass --api URL.`,
      EXIT.failure,
      'unreachable',
      { cause: e },
    );
  }
  return new CliError(
    `Cannot reach ${url} (${code}): check --api and your network connection, then try again.`,
    EXIT.failure,
    'unreachable',
    { cause: e },
  );
}
