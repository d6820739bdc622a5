/**
 * The one client of the optally API, for the web dashboard (the browser's fetch) and the CLI (its
 * proxy-aware undici fetch): typed calls to the routes of the contract (named by the light route
 * list, routes.ts, so no schema reaches a client bundle), the bearer token, and one `ApiError` for
 * every answer that is not a success.
 */
import type * as z from 'zod/mini';
import type { AnyRoute, ApiMethod, JsonBody, PathParamNames, RawBody, ResponseOf } from './contract.ts';
import type { ClientRoute } from './routes.ts';

/** What an `ApiError` carries besides its status and message. */
export type ApiErrorOptions = {
  /** The API's error code (`{ error }`, see shared/api/errors.ts); `unreachable` for no answer. */
  code?: string | null;
  /** `METHOD /path` of the request, without its query. */
  request?: string;
  /** What the user should do about it, when the client knows better than the server. */
  advice?: string | null;
  cause?: unknown;
};

/**
 * The API answered with an error status, or not at all (`status` 0): `code` is the API's error
 * code, `message` its explanation.
 */
export class ApiError extends Error {
  readonly code: string | null;
  readonly request: string;
  readonly advice: string | null;

  constructor(
    readonly status: number,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = options.code ?? null;
    this.request = options.request ?? '';
    this.advice = options.advice ?? null;
  }
}

/** What the client needs of a fetch answer (the browser's `Response` and undici's both fit). */
export type ResponseLike = {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  json(): Promise<unknown>;
  text(): Promise<string>;
};

/** A request body: JSON text, or a file's bytes (a `Blob` in the browser). */
export type RequestBody = string | Uint8Array<ArrayBuffer> | Blob;

/** What the client passes to fetch besides the URL. */
export type FetchInit = {
  method: ApiMethod;
  headers: Record<string, string>;
  body?: RequestBody;
  cache?: 'no-store';
};

/** A fetch: the browser's, Node's, or the CLI's proxy-aware one. */
export type FetchLike<R extends ResponseLike> = (url: string, init: FetchInit) => Promise<R>;

/** The query a route takes: its schema's keys, any value written as text (absent ones left out). */
export type QueryOf<C> = C extends { query: infer Q }
  ? Q extends z.ZodMiniObject
    ? { [K in keyof z.input<Q>]?: string | number | boolean | null | undefined }
    : never
  : never;

/** The body a route takes: JSON for a JSON body, bytes or text for a file. */
export type BodyOf<C> = C extends { body: infer B }
  ? B extends JsonBody
    ? z.input<B['schema']>
    : B extends RawBody
      ? { bytes: RequestBody; contentType: string }
      : never
  : never;

/** What a call names besides the route: path parameters, query, body, and request options. */
export type CallInput<C extends AnyRoute> = ([PathParamNames<C['path']>] extends [never]
  ? { params?: undefined }
  : { params: Record<PathParamNames<C['path']>, string> }) & {
  query?: QueryOf<C>;
  body?: BodyOf<C>;
  /** Sent as `If-None-Match`: an unchanged resource answers 304, returned as is. */
  etag?: string | null;
  /** The media type asked for (default JSON). */
  accept?: string;
};

/** How to reach the API. */
export type ClientOptions<R extends ResponseLike> = {
  /** The API's base URL, without a trailing slash. */
  baseUrl: string;
  /** The bearer token (none for public routes). */
  token?: string | null;
  fetch: FetchLike<R>;
  /** Sent with every request (the browser: `cache: 'no-store'`). */
  cache?: 'no-store';
  /** Advice for an error answer, when the caller knows better than the server (the CLI). */
  advice?: (status: number, code: string | null) => string | null;
  /** What a request that got no answer throws (default: an `ApiError` with status 0). */
  unreachable?: (cause: unknown) => Error;
};

/** A route's path with its parameters filled in, each %-escaped. */
export function pathOf(route: Pick<ClientRoute, 'method' | 'path'>, params?: Record<string, string>): string {
  return route.path.replace(/\{([^}]+)\}/g, (_whole, name: string) => {
    const value = params?.[name];
    if (value === undefined)
      throw new TypeError(`${route.method} ${route.path} needs the path parameter ${name}.`);
    return encodeURIComponent(value);
  });
}

/** A query string (`?a=1&b=2`, in the order given), absent and empty values left out; '' when none. */
export function searchOf(query: Record<string, string | number | boolean | null | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A client of the API (see `createClient`). */
export type ApiClientCore<R extends ResponseLike> = ReturnType<typeof createClient<R>>;

/** Builds a client. With a token, every request but those to public routes carries it. */
export function createClient<R extends ResponseLike>(options: ClientOptions<R>) {
  const request = async (
    method: ApiMethod,
    path: string,
    init: {
      auth?: boolean;
      accept?: string;
      etag?: string | null;
      body?: RequestBody;
      contentType?: string;
    } = {},
  ): Promise<R> => {
    const headers: Record<string, string> = { Accept: init.accept ?? 'application/json' };
    if (init.auth !== false && options.token) headers.Authorization = `Bearer ${options.token}`;
    if (init.etag) headers['If-None-Match'] = init.etag;
    if (init.contentType) headers['Content-Type'] = init.contentType;
    const sent: FetchInit = { method, headers };
    if (init.body !== undefined) sent.body = init.body;
    if (options.cache) sent.cache = options.cache;
    let response: R;
    try {
      response = await options.fetch(`${options.baseUrl}${path}`, sent);
    } catch (cause) {
      throw options.unreachable
        ? options.unreachable(cause)
        : new ApiError(0, `The API at ${options.baseUrl} cannot be reached.`, {
            code: 'unreachable',
            request: `${method} ${path.split('?')[0]}`,
            cause,
          });
    }
    if (response.ok || response.status === 304) return response;
    throw await errorOf(response, `${method} ${path.split('?')[0]}`, options.advice);
  };

  /** Sends a call to `route`; answers the raw response (2xx or 304), else throws `ApiError`. */
  const send = <C extends AnyRoute>(route: ClientRoute<C>, input: CallInput<C>): Promise<R> => {
    const path = `${pathOf(route, input.params)}${searchOf(input.query as Record<string, string> | undefined)}`;
    const body = input.body as unknown;
    const raw = route.body?.kind === 'raw' ? (body as { bytes: RequestBody; contentType: string }) : null;
    return request(route.method, path, {
      auth: route.auth,
      accept: input.accept,
      etag: input.etag ?? null,
      ...(raw
        ? { body: raw.bytes, contentType: raw.contentType }
        : body !== undefined
          ? { body: JSON.stringify(body), contentType: 'application/json' }
          : {}),
    });
  };

  return {
    baseUrl: options.baseUrl,
    /** A request to any path (the local stack's own routes, outside the contract). */
    request,
    send,
    /** Calls `route` and reads its JSON answer, typed by the contract. */
    call: async <C extends AnyRoute>(route: ClientRoute<C>, input: CallInput<C>): Promise<ResponseOf<C>> =>
      (await (await send(route, input)).json()) as ResponseOf<C>,
    /** Calls `route` and reads its answer as text. */
    text: async <C extends AnyRoute>(route: ClientRoute<C>, input: CallInput<C>): Promise<string> =>
      (await send(route, input)).text(),
  };
}

/**
 * The `ApiError` for an error answer: code and message from the API's `{ error, message }`; else
 * the answer's text, or its status.
 */
async function errorOf(
  response: ResponseLike,
  request: string,
  advice: ClientOptions<ResponseLike>['advice'],
): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let code: string | null = response.status === 401 ? 'unauthorized' : null;
  let message = '';
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') code = body.error;
    const said = body.message ?? body.error;
    if (typeof said === 'string') message = said;
    else if (said && typeof said === 'object' && 'message' in said) message = String(said.message);
  } catch {
    message = text.slice(0, 300);
  }
  if (!message) message = `${request} answered ${response.status} ${response.statusText}`.trim();
  return new ApiError(response.status, message, {
    code,
    request,
    advice: advice?.(response.status, code) ?? null,
  });
}
