import { ROUTES } from '../functions/api/routes.ts';

/**
 * Every route of the HTTP API, in one list. The api construct creates exactly these routes and the
 * infra tests check each one's authorization against it, so a route added here is JWT-protected
 * unless it says otherwise. A test also checks that every route the api handler's router serves
 * (functions/api/routes.ts) is here with the same authorization: API Gateway answers 404 itself
 * for a route it does not know, before the handler sees it.
 */

/** How API Gateway authorizes a route: a Cognito JWT, or nothing (public). */
export type RouteAuth = 'jwt' | 'none';

/** One route of the HTTP API. Roles (agency, coordinator, …) are enforced in the handler, not here. */
export interface ApiRoute {
  readonly method: 'GET' | 'POST';
  /** API Gateway path syntax: `{name}` is a path parameter. */
  readonly path: string;
  readonly auth: RouteAuth;
}

/**
 * The routes served by the api function — read from its router, which serves the API contract
 * (shared/api/contract.ts), so there is one list. Public: the health check, the API description
 * (GET /openapi.json) and the signing public key.
 */
export const API_ROUTES: readonly ApiRoute[] = ROUTES.map((route) => ({
  method: route.method,
  path: route.pattern,
  auth: route.auth ? 'jwt' : 'none',
}));

/** The route key API Gateway uses for a route, e.g. `GET /operations/{op}`. */
export function routeKey(route: ApiRoute): string {
  return `${route.method} ${route.path}`;
}
