import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Log } from '../../shared/adapters/telemetry.ts';
import { type ApiErrorCode, type ErrorBody, statusOf } from '../../shared/api/errors.ts';
import type { Denial, Principal } from '../../shared/domain/policy.ts';
import { type Locale, negotiateLocale } from '../../shared/i18n/locale.ts';

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
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'HttpError';
  }

  static denied(denial: Denial): HttpError {
    return new HttpError(denial.code, denial.reason);
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
 * route that threw it (`route`, `METHOD /path`), bugs are 500s, logged to `log` at ERROR with
 * their stack.
 */
export function toResponse(e: unknown, log: Log, route?: string): ApiResponse {
  // Error messages have no catalogue entries yet: they are English, and say so. The answer still
  // depends on the request's language for the routes that localize, hence Vary.
  const language = { 'content-language': 'en', vary: 'Accept-Language' };
  if (e instanceof HttpError)
    return json(statusOf(e.code, route), { error: e.code, message: e.message } satisfies ErrorBody, language);
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
