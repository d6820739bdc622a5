/**
 * The API's error codes and the one table that gives each its HTTP status. The domain and the
 * route handlers name a code; only the HTTP layer (`toResponse` in functions/api/http.ts) turns it
 * into a status, through `statusOf`. Clients read the code from the body (`{ error, message }`).
 */

/** Every error code the API answers with, and its status. */
export const ERROR_STATUS = {
  'bad-request': 400,
  'bad-path': 400,
  'bad-status': 400,
  'bad-format': 400,
  'country-required': 400,
  'unsupported-format': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'unknown-operation': 404,
  'unknown-country': 404,
  'unknown-submission': 404,
  'unknown-upload': 404,
  'not-uploaded': 404,
  'not-in-ledger': 404,
  'method-not-allowed': 405,
  'bad-transition': 409,
  conflict: 409,
  'still-processing': 409,
  'not-closed': 409,
  'not-final': 409,
  'final-not-frozen': 409,
  'figures-too-large': 422,
  internal: 500,
  'signing-unavailable': 503,
} as const satisfies Record<string, number>;

/** An error code of the API. */
export type ApiErrorCode = keyof typeof ERROR_STATUS;

/**
 * The two codes one route answers with another status than the table's, as the API always has:
 * a slot asked for a country that is not a participant is a bad request (the country is in the
 * body, not the path), and a dry run of a slot with no file yet is a conflict (retry later).
 * Keyed by route (`METHOD /path`).
 */
export const ROUTE_ERROR_STATUS: Readonly<Record<string, Readonly<Partial<Record<ApiErrorCode, number>>>>> = {
  'POST /operations/{op}/uploads': { 'unknown-country': 400 },
  'POST /operations/{op}/validate': { 'not-uploaded': 409 },
};

/** The body of every error answer. */
export type ErrorBody = { error: ApiErrorCode; message: string };

/** The HTTP status of `code`, on the route `route` (`METHOD /path`) when known. */
export function statusOf(code: ApiErrorCode, route?: string): number {
  return (route ? ROUTE_ERROR_STATUS[route]?.[code] : undefined) ?? ERROR_STATUS[code];
}

/** Whether `value` is one of the API's error codes (a client reading an answer). */
export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}
