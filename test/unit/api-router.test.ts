import { describe, expect, it } from 'vitest';
import { loadEvent } from '../../events/load-event.ts';
import { type ApiDeps, makeApiHandler, matchRoute } from '../../functions/api/routes.ts';

/** Dependencies a request refused by the router must never reach. */
const untouched = new Proxy({} as ApiDeps, {
  get(_target, name) {
    throw new Error(`the router used deps.${String(name)} for a request it should refuse`);
  },
});

/** The sample HTTP API event (a coordinator's GET) for another raw path. */
function getEvent(rawPath: string) {
  const event = loadEvent('http-api-request');
  event.rawPath = rawPath;
  event.requestContext.http.path = rawPath;
  return event;
}

describe('the API router', () => {
  it('decodes %-escapes in path parameters', () => {
    expect(matchRoute('GET', '/operations/liberterra%2Diii/rollup')?.params).toEqual({
      op: 'liberterra-iii',
    });
  });

  it.each([
    ['a cut-off escape', '/operations/%E0%A4%A/rollup'],
    ['a lone percent sign', '/operations/100%/rollup'],
    ['an escape of no UTF-8 character', '/operations/%FF/rollup'],
  ])('answers 400 bad-path to a path parameter with %s', async (_case, path) => {
    const response = await makeApiHandler(untouched)(getEvent(path));

    expect(response.statusCode).toBe(400);
    const body = JSON.parse(String(response.body)) as { error: string; message: string };
    expect(body.error).toBe('bad-path');
    expect(body.message).toContain(path);
  });
});
