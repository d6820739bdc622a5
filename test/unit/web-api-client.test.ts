import { describe, expect, it } from 'vitest';
import { ApiError, apiBaseUrl, createApi, type Fetch } from '../../web/src/api-client.ts';

/** A fetch that answers from a table of `path → response` and records each request. */
function fakeFetch(routes: Record<string, () => Response>) {
  const requests: { url: string; headers: Record<string, string> }[] = [];
  const fetch: Fetch = async (input, init) => {
    requests.push({ url: input, headers: { ...(init?.headers as Record<string, string>) } });
    const path = new URL(input).pathname + new URL(input).search;
    const route = routes[path];
    if (!route)
      return new Response(JSON.stringify({ error: 'not-found', message: `No route ${path}` }), {
        status: 404,
      });
    return route();
  };
  return { fetch, requests };
}

const json = (body: unknown, init: ResponseInit = {}) => new Response(JSON.stringify(body), init);

describe('apiBaseUrl', () => {
  it('uses the page’s own origin by default', () => {
    expect(apiBaseUrl('https://dash.example.org/ops/?op=x')).toBe('https://dash.example.org');
  });

  it('takes ?api= for an API served elsewhere, without a trailing slash', () => {
    expect(apiBaseUrl('https://dash.example.org/?api=https://api.example.org/prod/')).toBe(
      'https://api.example.org/prod',
    );
  });
});

describe('createApi', () => {
  const base = 'http://api.test';

  it('sends the bearer token and the ETag, and reports 304 as not modified', async () => {
    const { fetch, requests } = fakeFetch({
      '/operations/op-1/rollup': () => new Response(null, { status: 304 }),
    });
    const api = createApi({ baseUrl: base, token: 'tok', fetch });

    expect(await api.getRollup('op-1', '"4-open"')).toEqual({ status: 'not-modified' });
    expect(requests[0]?.headers).toMatchObject({ Authorization: 'Bearer tok', 'If-None-Match': '"4-open"' });
  });

  it('returns a changed rollup with its ETag', async () => {
    const { fetch } = fakeFetch({
      '/operations/op-1/rollup': () => json({ version: 5 }, { headers: { ETag: '"5-open"' } }),
    });
    const api = createApi({ baseUrl: base, token: 'tok', fetch });

    expect(await api.getRollup('op-1', null)).toEqual({
      status: 'ok',
      etag: '"5-open"',
      body: { version: 5 },
    });
  });

  it('asks for one country’s submissions and unwraps the list', async () => {
    const { fetch, requests } = fakeFetch({
      '/operations/op-1/submissions?country=KE': () => json({ submissions: [{ id: 's1' }], cursor: null }),
    });
    const api = createApi({ baseUrl: base, token: 'tok', fetch });

    const answer = await api.listSubmissions('op-1', 'KE', null);

    expect(answer).toMatchObject({ status: 'ok', body: [{ id: 's1' }] });
    expect(requests[0]?.url).toBe('http://api.test/operations/op-1/submissions?country=KE');
  });

  it('turns an error answer into an ApiError carrying the status and the API’s message', async () => {
    const { fetch } = fakeFetch({
      '/operations/op-1/rollup': () =>
        json({ error: 'forbidden', message: 'Agencies see their own country' }, { status: 403 }),
    });
    const api = createApi({ baseUrl: base, token: 'tok', fetch });

    const failure = await api.getRollup('op-1', null).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 403, message: 'Agencies see their own country' });
  });

  it('reports an unreachable API as status 0', async () => {
    const api = createApi({
      baseUrl: base,
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });

    await expect(api.listOperations()).rejects.toMatchObject({ name: 'ApiError', status: 0 });
  });

  it('reads local tokens without a token, and answers null when deployed (404)', async () => {
    const tokens = { coordinator: 'c', auditor: 'a', admin: 'd', agencies: { KE: 'k' } };
    const local = fakeFetch({ '/local/tokens': () => json(tokens) });
    const deployed = fakeFetch({});

    expect(await createApi({ baseUrl: base, token: 'tok', fetch: local.fetch }).localTokens()).toEqual(
      tokens,
    );
    expect(local.requests[0]?.headers.Authorization).toBeUndefined();
    expect(await createApi({ baseUrl: base, fetch: deployed.fetch }).localTokens()).toBeNull();
  });

  it('says final figures exist only on a 200', async () => {
    const final = fakeFetch({ '/operations/op-1/final': () => json({}) });
    const notYet = fakeFetch({});

    expect(await createApi({ baseUrl: base, token: 't', fetch: final.fetch }).hasFinal('op-1')).toBe(true);
    expect(await createApi({ baseUrl: base, token: 't', fetch: notYet.fetch }).hasFinal('op-1')).toBe(false);
  });

  it('escapes path parts', async () => {
    const { fetch, requests } = fakeFetch({});
    await createApi({ baseUrl: base, fetch })
      .getSubmission('op-1', 'KE/../x')
      .catch(() => undefined);

    expect(requests[0]?.url).toBe('http://api.test/operations/op-1/submissions/KE%2F..%2Fx');
  });
});
