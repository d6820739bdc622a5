import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Log } from '../../shared/adapters/telemetry.ts';
import { type ApiErrorCode, type ErrorBody, statusOf } from '../../shared/api/errors.ts';
import type { Denial, Principal } from '../../shared/domain/policy.ts';
import { type Locale, negotiateLocale } from '../../shared/i18n/locale.ts';
import { type MessageKey, type Params, renderMessage } from '../../shared/i18n/render.ts';

/** A request as route handlers see it. */
export type ApiRequest = {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  principal: Principal | null;
  body: Buffer | null;
  /**
   * The language the caller reads: `?lang=` if given, else `Accept-Language` (see
   * `requestLocale`), read once per request. Reports, problems and the text report are in it.
   */
  locale: Locale;
};

/**
 * The language of a request: `?lang=fr` when given (a tag or a list, `fr-CA`), else the
 * `Accept-Language` header, negotiated against the supported locales; English when neither matches.
 */
export function requestLocale(query: Record<string, string>, headers: Record<string, string>): Locale {
  const lang = query.lang?.trim();
  if (lang) return negotiateLocale(lang);
  return negotiateLocale(headers['accept-language']);
}

export type ApiResponse = APIGatewayProxyStructuredResultV2;

/**
 * An expected failure, named by its error code: thrown by routes, and given its HTTP status in one
 * place (`toResponse`, through the table in shared/api/errors.ts).
 */
export class HttpError extends Error {
  /** The catalogue message this error's text comes from, when it has one (see `inLocale`). */
  text?: { key: MessageKey; params: Params };
  /** The language `message` is in. */
  locale: Locale = 'en';

  constructor(
    readonly code: ApiErrorCode,
    message: string | CatalogueText,
    options?: ErrorOptions,
  ) {
    super(typeof message === 'string' ? message : renderMessage(message.key, message.params, 'en'), options);
    this.name = 'HttpError';
    if (typeof message !== 'string') this.text = message;
  }

  /** An error whose message is the catalogue's `key` (in English until `inLocale`). */
  static fromCatalogue(code: ApiErrorCode, key: MessageKey, params: Params = {}): HttpError {
    const error = new HttpError(code, renderMessage(key, params, 'en'));
    error.text = { key, params };
    return error;
  }

  /** The same error, its message in `locale` (loaded) when it comes from the catalogue. */
  inLocale(locale: Locale): HttpError {
    if (locale === this.locale) return this;
    const text = this.text ?? knownText(this.message);
    if (!text) return this;
    const error = new HttpError(this.code, renderMessage(text.key, text.params, locale), {
      cause: this.cause,
    });
    error.text = text;
    error.locale = locale;
    return error;
  }

  static denied(denial: Denial): HttpError {
    return new HttpError(denial.code, denial.reason);
  }
}

/** A message from the catalogue: an error's text, in English until the error is put `inLocale`. */
export type CatalogueText = { key: MessageKey; params: Params };

/** The catalogue message `key` with `params`, as a thrown error's message. */
export function msg(key: MessageKey, params: Params = {}): CatalogueText {
  return { key, params };
}

/**
 * The English sentences other layers write (the policy's refusals, shared/domain/policy.ts; the
 * application's, shared/app/*; the lifecycle's; the figures answer and the router), each the
 * English of a catalogue key: the key, and its parameters. A message is read back into its key and
 * parameters by matching the key's English (`knownText`), so it can be answered in the request's
 * language; a sentence that is not here, or that a layer rewords, stays English. Order matters
 * where one sentence is a prefix of another (`next` before `no-next`).
 */
export const KNOWN_SENTENCES: ReadonlyArray<readonly [MessageKey, readonly string[]]> = [
  ['error.denied.no-token', []],
  ['error.denied.no-role', []],
  ['error.denied.no-country', []],
  ['error.denied.rollup', []],
  ['error.denied.read-country', ['country', 'other']],
  ['error.denied.list-submissions', ['country']],
  ['error.denied.upload-role', ['role']],
  ['error.denied.upload-country', ['country', 'other']],
  ['error.denied.manage-operation', []],
  ['error.denied.ledger', []],
  ['error.denied.final-coordinator', []],
  ['error.denied.final', []],
  ['error.unknown-country', ['country', 'name']],
  ['error.unknown-upload', ['id', 'op']],
  ['error.unsupported-format.slot', ['fileName']],
  ['error.not-closed', ['name', 'status']],
  ['error.final-not-frozen.manifest', ['name', 'op']],
  ['error.final-not-frozen.ledger', ['name']],
  ['error.not-final.proof', ['name', 'status']],
  ['error.still-processing', ['count', 'files']],
  ['error.conflict.status', []],
  ['error.bad-transition.same', ['status']],
  ['error.bad-transition.next', ['from', 'to', 'next']],
  ['error.bad-transition.no-next', ['from', 'to']],
  ['error.bad-transition.reason', ['from']],
  ['error.figures-too-large', ['what', 'size', 'limit']],
  ['error.bad-request.figures', ['figures']],
  ['error.not-found.route', ['method', 'path']],
  ['error.method-not-allowed', ['method', 'path']],
];

const SENTINEL = '\u0000';
let sentencePatterns: ReadonlyArray<readonly [MessageKey, RegExp]> | undefined;

/** Each known sentence as a pattern: its English with each parameter a named group (built once). */
function patterns(): ReadonlyArray<readonly [MessageKey, RegExp]> {
  sentencePatterns ??= KNOWN_SENTENCES.map(([key, names]) => {
    const marked = renderMessage(
      key,
      Object.fromEntries(names.map((n) => [n, `${SENTINEL}${n}${SENTINEL}`])),
      'en',
    );
    const seen = new Set<string>();
    const source = marked
      .split(SENTINEL)
      .map((part, i) => {
        if (i % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        if (seen.has(part)) return `\\k<${part}>`;
        seen.add(part);
        return `(?<${part}>.+?)`;
      })
      .join('');
    return [key, new RegExp(`^${source}$`, 's')] as const;
  });
  return sentencePatterns;
}

/** The catalogue text an English message was rendered from, when it is one of `KNOWN_SENTENCES`. */
export function knownText(message: string): CatalogueText | undefined {
  for (const [key, pattern] of patterns()) {
    const match = pattern.exec(message);
    if (!match) continue;
    const text = msg(key, { ...match.groups });
    // Only when the catalogue's English gives back the message itself.
    if (renderMessage(key, text.params, 'en') === message) return text;
  }
  return undefined;
}

/** A JSON response. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/**
 * The one place errors become HTTP responses: an expected one answers its code's status on the
 * route that threw it (`route`, `METHOD /path`), bugs are 500s, logged to `log` at ERROR with
 * their stack.
 */
export function toResponse(e: unknown, log: Log, route?: string): ApiResponse {
  // An error's message is in the request's language when it comes from the catalogue (`inLocale`,
  // applied by `serve`), else English; the answer says which, and that it depends on the request.
  const language = { 'content-language': 'en', vary: 'Accept-Language' };
  if (e instanceof HttpError)
    return json(statusOf(e.code, route), { error: e.code, message: e.message } satisfies ErrorBody, {
      ...language,
      'content-language': e.locale,
    });
  log({ level: 'error', msg: 'api error', error: e });
  return json(
    statusOf('internal'),
    { error: 'internal', message: 'The server failed; the error was logged. Try again.' } satisfies ErrorBody,
    language,
  );
}

/** Reads an HTTP API (payload 2.0) event into an `ApiRequest` (principal set by the router). */
export function readEvent(
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Omit<ApiRequest, 'params' | 'principal'> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query[k] = v;
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    query,
    headers,
    locale: requestLocale(query, headers),
    body:
      event.body === undefined ? null : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8'),
  };
}
