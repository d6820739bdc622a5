/**
 * The pieces every contract entry is built from: the route type, `route()`, and the shared query
 * parameters and answer shorthands. The routes themselves are in `contract.ts`.
 */
import * as z from 'zod/mini';
import type { Role } from '../domain/policy.ts';
import type { ApiErrorCode } from './errors.ts';
import { FIGURES_DETAILS } from './figures-detail.ts';

export type ApiMethod = 'GET' | 'POST';

/** A query schema: an object of optional strings (every query value arrives as a string). */
export type QuerySchema = z.ZodMiniObject<Record<string, z.ZodMiniOptional<z.ZodMiniType<string, string>>>>;

/** A JSON request body, checked against `schema`; a body that fails it is answered `invalid`. */
export type JsonBody = {
  kind: 'json';
  schema: z.ZodMiniObject;
  /** The error code of a body that does not match the schema. */
  invalid: ApiErrorCode;
};

/** A request body taken as bytes (a return file), in one of `contentTypes`. */
export type RawBody = { kind: 'raw'; contentTypes: readonly string[]; description: string };

/** One successful answer of a route. */
export type Success = {
  status: 200 | 201 | 303 | 304;
  /** Media types (without parameters), the first the default; none for a body-less answer. */
  contentTypes: readonly string[];
  description: string;
  /** A schema of the JSON answer, when the contract spells it out (else the type alone). */
  schema?: z.ZodMiniType;
};

/** The names of a path's parameters: `'/operations/{op}/countries/{cc}'` → `'op' | 'cc'`. */
export type PathParamNames<P extends string> = P extends `${string}{${infer N}}${infer Rest}`
  ? N | PathParamNames<Rest>
  : never;

/** One route of the API. `Res` is the type of its JSON answer (a type only: nothing at run time). */
export type RouteContract<
  P extends string = string,
  Q extends QuerySchema | undefined = QuerySchema | undefined,
  B extends JsonBody | RawBody | undefined = JsonBody | RawBody | undefined,
  Res = unknown,
> = {
  /** A unique name (the OpenAPI operationId). */
  readonly name: string;
  readonly method: ApiMethod;
  /** API Gateway path syntax: `{name}` is a path parameter. */
  readonly path: P;
  /** Whether the route needs a bearer token (false: public, like /health). */
  readonly auth: boolean;
  /** The roles that may call it at all; the policy (shared/domain/policy.ts) narrows agencies to their country. */
  readonly roles: readonly Role[];
  readonly tag: 'service' | 'operations' | 'returns' | 'audit' | 'final';
  readonly summary: string;
  readonly description?: string;
  /** What each path parameter is. */
  readonly params: Readonly<Record<PathParamNames<P>, string>>;
  readonly query: Q;
  readonly body: B;
  readonly success: readonly Success[];
  /** The error codes the route may answer with (`unauthorized`/`forbidden` included when `auth`). */
  readonly errors: readonly ApiErrorCode[];
  /** The JSON answer's type, for clients: never set. */
  readonly response?: Res;
};

/** Any route of the contract. */
// biome-ignore lint/suspicious/noExplicitAny: the answer type varies by route
export type AnyRoute = RouteContract<string, QuerySchema | undefined, JsonBody | RawBody | undefined, any>;

/** The JSON answer type of a route. */
export type ResponseOf<C> = C extends RouteContract<string, infer _Q, infer _B, infer Res> ? Res : never;

/** The `METHOD /path` key of a route (as API Gateway names it). */
export function routeKeyOf(route: Pick<AnyRoute, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

export const ALL_ROLES: readonly Role[] = ['agency', 'coordinator', 'auditor', 'admin'];
export const JSON_TYPE = 'application/json';

/**
 * Declares one route answering `Res`: `route<Res>()({ … })`. Authenticated routes may answer
 * `unauthorized` and `forbidden` as well as the errors listed.
 */
export function route<Res>() {
  return <
    const P extends string,
    Q extends QuerySchema | undefined = undefined,
    B extends JsonBody | RawBody | undefined = undefined,
  >(
    def: Omit<RouteContract<P, Q, B, Res>, 'query' | 'body' | 'response'> & { query?: Q; body?: B },
  ): RouteContract<P, Q, B, Res> => ({
    ...def,
    query: def.query as Q,
    body: def.body as B,
    errors: def.auth ? [...new Set<ApiErrorCode>(['unauthorized', 'forbidden', ...def.errors])] : def.errors,
  });
}

export const ok = (description: string, schema?: z.ZodMiniType): Success => ({
  status: 200,
  contentTypes: [JSON_TYPE],
  description,
  ...(schema ? { schema } : {}),
});

export const text = (description: string) =>
  z.optional(z.string().register(z.globalRegistry, { description }));
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T, description: string) =>
  z.optional(z.enum(values).register(z.globalRegistry, { description }));

export const OP = 'The operation id, e.g. `liberterra-iii`.';
export const LANG = text(
  'The language of the reports, problems and texts: `en`, `fr`, `es` or `ar` (a tag such as `fr-CA` is matched on its language). Wins over `Accept-Language`; English when neither names one of them.',
);
export const FIGURES = oneOf(
  FIGURES_DETAILS,
  '`summary`: the totals and the per-day figures only, no breakdown (small whatever the return; what the dashboard asks for). `full` (the default) adds `byBreakdown` and `byDayBreakdown`; a full answer too large for a Lambda response (over 5.5 MB) is refused with `figures-too-large`: ask for `summary`.',
);
export const PAGE = {
  limit: text('Page size, 1 to 1,000 (default 100).'),
  cursor: text('Where the previous page ended (its `cursor`); absent for the first page.'),
};
