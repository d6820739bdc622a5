import { describe, expect, it } from 'vitest';
import { loadEvent } from '../../events/load-event.ts';
import { type ApiDeps, makeApiHandler, ROUTES } from '../../functions/api/routes.ts';
import { API_CONTRACT, routeKeyOf } from '../../shared/api/contract.ts';
import { ERROR_STATUS, isApiErrorCode, ROUTE_ERROR_STATUS, statusOf } from '../../shared/api/errors.ts';

/** Dependencies a request answered before any store is read must never reach. */
const untouched = new Proxy({} as ApiDeps, {
  get(_target, name) {
    throw new Error(`the handler used deps.${String(name)}`);
  },
});

const routerKeys = ROUTES.map((r) => `${r.method} ${r.pattern}`);
const contractKeys = API_CONTRACT.map(routeKeyOf);

describe('the API contract', () => {
  it('declares every route the router serves', () => {
    expect(routerKeys.filter((key) => !contractKeys.includes(key))).toEqual([]);
  });

  it('has no route the router does not serve', () => {
    expect(contractKeys.filter((key) => !routerKeys.includes(key))).toEqual([]);
  });

  it('is served with its own authorization: every router entry is built from its contract entry', () => {
    for (const route of ROUTES) {
      expect(route.contract, `${route.method} ${route.pattern}`).toBeDefined();
      expect(route.auth).toBe(route.contract?.auth);
    }
  });

  it('names each route once', () => {
    expect(new Set(contractKeys).size).toBe(contractKeys.length);
    expect(new Set(API_CONTRACT.map((r) => r.name)).size).toBe(API_CONTRACT.length);
  });

  it('names a path parameter description for each {parameter} of a path, and no other', () => {
    for (const route of API_CONTRACT) {
      const inPath = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      expect(Object.keys(route.params).sort(), routeKeyOf(route)).toEqual(inPath);
    }
  });

  it('lets nobody but the public in without a token, and names who may call every other route', () => {
    for (const route of API_CONTRACT) {
      if (route.auth) {
        expect(route.roles.length, routeKeyOf(route)).toBeGreaterThan(0);
        expect(route.errors).toEqual(expect.arrayContaining(['unauthorized', 'forbidden']));
      } else {
        expect(route.roles, routeKeyOf(route)).toEqual([]);
      }
    }
  });

  it('lists only error codes the status table knows', () => {
    for (const route of API_CONTRACT) {
      for (const code of route.errors)
        expect(isApiErrorCode(code), `${routeKeyOf(route)}: ${code}`).toBe(true);
    }
  });
});

describe('the error table', () => {
  it('gives each code one status: client errors 4xx, server errors 5xx', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect([400, 401, 403, 404, 405, 409, 422, 500, 503], code).toContain(status);
    }
    expect(statusOf('unauthorized')).toBe(401);
    expect(statusOf('forbidden')).toBe(403);
    expect(statusOf('unknown-operation')).toBe(404);
    expect(statusOf('not-closed')).toBe(409);
    expect(statusOf('signing-unavailable')).toBe(503);
  });

  it('answers a slot for a non-participant 400 but an unknown country in a path 404', () => {
    expect(statusOf('unknown-country', 'POST /operations/{op}/uploads')).toBe(400);
    expect(statusOf('unknown-country', 'GET /operations/{op}/countries/{cc}')).toBe(404);
  });

  it('answers a dry run of an empty slot 409 but a proof of one 404', () => {
    expect(statusOf('not-uploaded', 'POST /operations/{op}/validate')).toBe(409);
    expect(statusOf('not-uploaded', 'GET /operations/{op}/uploads/{uploadId}/proof')).toBe(404);
  });

  it('keys its exceptions by routes of the contract, for codes those routes answer', () => {
    for (const [key, codes] of Object.entries(ROUTE_ERROR_STATUS)) {
      const route = API_CONTRACT.find((r) => routeKeyOf(r) === key);
      expect(route, key).toBeDefined();
      for (const code of Object.keys(codes)) expect(route?.errors).toContain(code);
    }
  });
});

describe('the router and the error table', () => {
  it('answers a request without a token on a protected route 401 unauthorized', async () => {
    const event = loadEvent('http-api-request');
    event.rawPath = '/operations/liberterra-iii';
    event.requestContext.http.path = event.rawPath;
    event.requestContext.authorizer = undefined as unknown as typeof event.requestContext.authorizer;

    const response = await makeApiHandler(untouched)(event);

    expect(response.statusCode).toBe(401);
    expect(JSON.parse(String(response.body))).toMatchObject({ error: 'unauthorized' });
  });

  it('answers a method a path does not take 405 method-not-allowed', async () => {
    const event = loadEvent('http-api-request');
    event.rawPath = '/health';
    event.requestContext.http.path = '/health';
    event.requestContext.http.method = 'POST';

    const response = await makeApiHandler(untouched)(event);

    expect(response.statusCode).toBe(405);
    expect(JSON.parse(String(response.body))).toMatchObject({ error: 'method-not-allowed' });
  });
});
