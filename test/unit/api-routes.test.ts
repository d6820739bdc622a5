import { describe, expect, it } from 'vitest';
import { API as CONTRACT } from '../../shared/api/contract.ts';
import { API } from '../../shared/api/routes.ts';

/** What a client needs of a contract route: the light list must say exactly this. */
function callable(route: {
  name: string;
  method: string;
  path: string;
  auth: boolean;
  body?: { kind: string } | undefined;
}) {
  return {
    name: route.name,
    method: route.method,
    path: route.path,
    auth: route.auth,
    body: route.body ? route.body.kind : null,
  };
}

describe("the clients' route list", () => {
  it('names every route of the contract, and no other', () => {
    expect(Object.keys(API).sort()).toEqual(Object.keys(CONTRACT).sort());
  });

  it.each(Object.keys(CONTRACT) as (keyof typeof CONTRACT)[])(
    'gives %s the method, path, sign-in and body kind of its contract entry',
    (name) => {
      expect(callable(API[name])).toEqual(callable(CONTRACT[name]));
    },
  );

  it('carries no schema and no description (they stay on the server)', () => {
    for (const route of Object.values(API)) {
      expect(Object.keys(route).sort()).toEqual(
        route.body ? ['auth', 'body', 'method', 'name', 'path'] : ['auth', 'method', 'name', 'path'],
      );
    }
  });
});
