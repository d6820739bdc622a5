import { describe, expect, it } from 'vitest';
import { ApiError, apiBaseUrl, createApi, type Fetch, ledgerSearch } from '../../web/src/api-client.ts';

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

  it('reads the final figures as JSON, and answers null while there are none to read', async () => {
    const body = { manifestSha256: 'ab'.repeat(32), manifest: { operation: 'op-1', status: 'final' } };
    const final = fakeFetch({ '/operations/op-1/final?format=json': () => json(body) });
    const api = (fetch: Fetch) => createApi({ baseUrl: base, token: 't', fetch });

    expect(await api(final.fetch).getFinal('op-1')).toEqual(body);
    expect(final.requests[0]?.headers).toMatchObject({
      Authorization: 'Bearer t',
      Accept: 'application/json',
    });
    for (const status of [404, 409, 403]) {
      const refused = fakeFetch({
        '/operations/op-1/final?format=json': () => json({ error: 'no', message: 'not yet' }, { status }),
      });
      expect(await api(refused.fetch).getFinal('op-1')).toBeNull();
    }
  });

  it('lets a failing or refused token through as an error rather than "no final figures"', async () => {
    for (const status of [401, 500]) {
      const failing = fakeFetch({
        '/operations/op-1/final?format=json': () => json({ message: 'boom' }, { status }),
      });
      await expect(
        createApi({ baseUrl: base, token: 't', fetch: failing.fetch }).getFinal('op-1'),
      ).rejects.toMatchObject({ status });
    }
  });

  it('downloads an export with the token, asking for its media type, and reads the digest header', async () => {
    const digest = 'cd'.repeat(32);
    const { fetch, requests } = fakeFetch({
      '/operations/op-1/final?format=sdmx-csv': () =>
        new Response('STRUCTURE,MANIFEST_SHA256\r\n', { headers: { 'x-manifest-sha256': digest } }),
    });

    const download = await createApi({ baseUrl: base, token: 't', fetch }).downloadFinal('op-1', 'sdmx-csv');

    expect(download.digest).toBe(digest);
    expect(await download.blob.text()).toBe('STRUCTURE,MANIFEST_SHA256\r\n');
    expect(requests[0]?.headers).toMatchObject({
      Authorization: 'Bearer t',
      Accept: 'application/vnd.sdmx.data+csv',
    });
  });

  it('reads the digest from the stored file when a large export came through the storage link', async () => {
    // What the browser hands back after following the API's 303: storage's answer, whose headers
    // carry the digest as object metadata (exposed by the bucket's CORS rule), not the API's header.
    const digest = 'ef'.repeat(32);
    const { fetch } = fakeFetch({
      '/operations/op-1/final?format=csv': () =>
        new Response('operation,level\r\n', { headers: { 'x-amz-meta-manifest-sha256': digest } }),
    });

    const download = await createApi({ baseUrl: base, token: 't', fetch }).downloadFinal('op-1', 'csv');

    expect(download.digest).toBe(digest);
    expect(await download.blob.text()).toBe('operation,level\r\n');
  });

  it('asks the ledger for a filtered page and follows an escaped cursor', async () => {
    const page = { operation: 'op-1', entries: [{ id: 'KE-2' }], cursor: null };
    const { fetch, requests } = fakeFetch({
      '/operations/op-1/ledger?country=KE&verdict=rejected&limit=50&cursor=KE-0001%230%2Fx': () => json(page),
    });

    const answer = await createApi({ baseUrl: base, token: 't', fetch }).getLedger('op-1', {
      country: 'KE',
      verdict: 'rejected',
      limit: 50,
      cursor: 'KE-0001#0/x',
    });

    expect(answer).toEqual(page);
    expect(requests).toHaveLength(1);
  });

  it('refuses the ledger with the API’s 403 as an ApiError', async () => {
    const { fetch } = fakeFetch({
      '/operations/op-1/ledger': () =>
        json(
          { error: 'forbidden', message: 'The submission ledger is for auditors and admins.' },
          { status: 403 },
        ),
    });

    await expect(createApi({ baseUrl: base, token: 't', fetch }).getLedger('op-1')).rejects.toMatchObject({
      status: 403,
      message: 'The submission ledger is for auditors and admins.',
    });
  });

  it('escapes path parts', async () => {
    const { fetch, requests } = fakeFetch({});
    await createApi({ baseUrl: base, fetch })
      .getSubmission('op-1', 'KE/../x')
      .catch(() => undefined);

    expect(requests[0]?.url).toBe('http://api.test/operations/op-1/submissions/KE%2F..%2Fx');
  });
});

describe('ledgerSearch', () => {
  it('leaves out what is not asked for', () => {
    expect(ledgerSearch({})).toBe('');
    expect(ledgerSearch({ country: null, verdict: null, cursor: null })).toBe('');
    expect(ledgerSearch({ verdict: 'superseded' })).toBe('?verdict=superseded');
  });

  it('keeps the order country, verdict, limit, cursor and escapes values', () => {
    expect(ledgerSearch({ cursor: 'a&b=c', limit: 10, verdict: 'failed', country: 'FR' })).toBe(
      '?country=FR&verdict=failed&limit=10&cursor=a%26b%3Dc',
    );
  });
});
