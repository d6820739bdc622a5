import type { Response } from 'undici';
import { type ApiClientCore, type CallInput, createClient } from '../shared/api/client.ts';
import type { AnyRoute, ResponseOf } from '../shared/api/contract.ts';
import type { ClientRoute } from '../shared/api/routes.ts';
import { msg } from '../shared/i18n/text.ts';
import { CliError, EXIT } from './errors.ts';
import { currentCliLocale, say } from './lang.ts';
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
      // Answers (errors included) in the CLI's language.
      fetch: (url, init) =>
        fetch(url, {
          method: init.method,
          headers: { 'Accept-Language': currentCliLocale(), ...init.headers },
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
        return say('cli.advice.minted', { secretFile: source.secretFile });
      case 'signed-in':
        return say('cli.advice.signed-in', { api: baseUrl });
      case 'env':
      case 'none':
        return say('cli.advice.token');
      default: {
        const never: never = source;
        throw new Error(`unknown token source ${JSON.stringify(never)}`);
      }
    }
  }
  if (status === 403)
    return source.kind === 'signed-in'
      ? say('cli.advice.forbidden-signed-in', { api: baseUrl })
      : say('cli.advice.forbidden');
  if (code === 'unknown-operation') return say('cli.advice.unknown-operation');
  if (code === 'not-found') return say('cli.advice.not-found', { api: baseUrl });
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
    return new CliError(msg('cli.unreachable.local', { url }), EXIT.failure, 'unreachable', { cause: e });
  }
  return new CliError(msg('cli.unreachable.remote', { url, reason: code }), EXIT.failure, 'unreachable', {
    cause: e,
  });
}
