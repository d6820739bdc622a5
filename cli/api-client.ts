import type { Response } from 'undici';
import { type ApiClientCore, type CallInput, createClient } from '../shared/api/client.ts';
import type { AnyRoute, ResponseOf } from '../shared/api/contract.ts';
import type { ClientRoute } from '../shared/api/routes.ts';
import { CliError, EXIT } from './errors.ts';
import { fetch, isLoopback } from './network.ts';

/**
 * Where the token the client sends comes from: OPTALLY_TOKEN (`env`), the sign-in `optally login`
 * saved for this API (`signed-in`), or a file when the CLI minted it for the local stack.
 */
export type TokenSource =
  | { kind: 'env' }
  | { kind: 'signed-in' }
  | { kind: 'minted'; secretFile: string }
  | { kind: 'none' };

/**
 * The one way the CLI talks to the optally API: the shared client (shared/api/client.ts) over the
 * CLI's proxy-aware fetch. It adds the bearer token, turns a non-2xx answer into an `ApiError`
 * (status, code and message from the server's `{ error, message }`, with advice for this CLI) and
 * an unreachable server into a `CliError` saying how to reach it.
 */
export class ApiClient {
  private readonly core: ApiClientCore<Response>;

  constructor(
    readonly baseUrl: string,
    token: string | null,
    readonly tokenSource: TokenSource = { kind: 'none' },
  ) {
    this.core = createClient<Response>({
      baseUrl,
      token,
      // The CLI sends JSON text or a file's bytes, never a browser Blob.
      fetch: (url, init) =>
        fetch(url, {
          method: init.method,
          headers: init.headers,
          body: init.body as string | Uint8Array | undefined,
        }),
      advice: (status, code) => this.advice(status, code),
      unreachable: (cause) => unreachable(baseUrl, cause),
    });
  }

  /** Calls a route of the API contract and reads its JSON answer. */
  call<C extends AnyRoute>(route: ClientRoute<C>, input: CallInput<C>): Promise<ResponseOf<C>> {
    return this.core.call(route, input);
  }

  /** Calls a route of the API contract and reads its answer as text. */
  text<C extends AnyRoute>(route: ClientRoute<C>, input: CallInput<C>): Promise<string> {
    return this.core.text(route, input);
  }

  /** Calls a route of the API contract and reads its answer as bytes. */
  async bytes<C extends AnyRoute>(route: ClientRoute<C>, input: CallInput<C>): Promise<Buffer> {
    return Buffer.from(await (await this.core.send(route, input)).arrayBuffer());
  }

  /** GET a text resource outside the contract (the local stack's own routes). */
  async getText(path: string): Promise<string> {
    return (await this.core.request('GET', path)).text();
  }

  private advice(status: number, code: string | null): string | null {
    return adviceFor(this.tokenSource, this.baseUrl, status, code);
  }
}

/**
 * What the user should do about an error answer, given where the token came from: a refused
 * sign-in is renewed with `optally login`, a refused OPTALLY_TOKEN by setting another one.
 */
export function adviceFor(
  source: TokenSource,
  baseUrl: string,
  status: number,
  code: string | null,
): string | null {
  if (status === 401) {
    switch (source.kind) {
      case 'minted':
        return `The CLI signed its token with ${source.secretFile}, which this stack no longer accepts (was it restarted with another data folder?): run the command again, or set OPTALLY_TOKEN.`;
      case 'signed-in':
        return `${baseUrl} did not accept your sign-in (it may have expired or been revoked): run optally login --api ${baseUrl} again.`;
      case 'env':
      case 'none':
        return 'Set OPTALLY_TOKEN to a valid token for this API (it may be missing or expired; locally: npx optally token agency CC), or sign in with optally login --api URL.';
      default: {
        const never: never = source;
        throw new Error(`unknown token source ${JSON.stringify(never)}`);
      }
    }
  }
  if (status === 403)
    return source.kind === 'signed-in'
      ? `Your sign-in says who you act as: check --country, or sign in as another user with optally login --api ${baseUrl}.`
      : 'Check --country and whose token you use (OPTALLY_TOKEN, or --country/--role on the local stack).';
  if (code === 'unknown-operation') return 'Check --operation; optally status lists the operations.';
  if (code === 'not-found')
    return `The API at ${baseUrl} has no such route: check --api (the base URL of the optally API).`;
  return null;
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
