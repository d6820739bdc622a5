import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Log } from '../../shared/adapters/telemetry.ts';
import { type ApiErrorCode, type ErrorBody, statusOf } from '../../shared/api/errors.ts';
import type { Principal } from '../../shared/domain/policy.ts';
import { type Locale, negotiateLocale } from '../../shared/i18n/locale.ts';
import { isLocaleLoaded, renderMessage } from '../../shared/i18n/render.ts';
import type { CatalogueText } from '../../shared/i18n/text.ts';

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

export { type CatalogueText, msg } from '../../shared/i18n/text.ts';

/**
 * An expected failure, named by its error code and saying what to change as a catalogue message
 * (`msg(key, params)`, or a lower layer's refusal: `refused`): thrown by routes, given its HTTP
 * status in one place (`toResponse`, through the table in shared/api/errors.ts) and answered in
 * the request's language. `message` is the English, for logs and tests.
 */
export class HttpError extends Error {
  /** The language `message` is in. */
  readonly locale: Locale;

  constructor(
    readonly code: ApiErrorCode,
    readonly text: CatalogueText,
    options?: ErrorOptions & { locale?: Locale },
  ) {
    const locale = options?.locale ?? 'en';
    super(renderMessage(text.key, text.params, locale), options);
    this.name = 'HttpError';
    this.locale = locale;
  }

  /**
   * The error a lower layer's refusal answers with: a `Refusal` of shared/app, the lifecycle's, or
   * the policy's `Denial`, its code and catalogue text kept.
   */
  static refused(refusal: { code: ApiErrorCode; text: CatalogueText }): HttpError {
    return new HttpError(refusal.code, refusal.text);
  }

  /** The same error, its message in `locale` (which must be loaded). */
  inLocale(locale: Locale): HttpError {
    if (locale === this.locale) return this;
    return new HttpError(this.code, this.text, { cause: this.cause, locale });
  }
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
 * route that threw it (`route`, `METHOD /path`), its message in the request's `locale`; bugs are
 * 500s, logged to `log` at ERROR with their stack.
 */
export function toResponse(e: unknown, log: Log, route?: string, locale: Locale = 'en'): ApiResponse {
  // Answered in the request's language when it could be loaded, else in English; the answer says
  // which, and that it depends on the request.
  const language = isLocaleLoaded(locale) ? locale : 'en';
  const headers = { 'content-language': language, vary: 'Accept-Language' };
  if (e instanceof HttpError) {
    const { message } = e.inLocale(language);
    return json(statusOf(e.code, route), { error: e.code, message } satisfies ErrorBody, headers);
  }
  log({ level: 'error', msg: 'api error', error: e });
  return json(
    statusOf('internal'),
    { error: 'internal', message: renderMessage('error.internal', {}, language) } satisfies ErrorBody,
    headers,
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
