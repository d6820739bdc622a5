import { describe, expect, it } from 'vitest';
import { ApiError, createClient, type FetchInit, pathOf, searchOf } from '../../shared/api/client.ts';
import { API } from '../../shared/api/routes.ts';

const base = 'http://api.test';

/** A fetch that answers every request with `answer` and records what was sent. */
function recording(answer: () => Response) {
  const sent: { url: string; init: FetchInit }[] = [];
  const fetch = async (url: string, init: FetchInit) => {
    sent.push({ url, init });
    return answer();
  };
  return { fetch, sent };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('pathOf and searchOf', () => {
  it('fills path parameters, each %-escaped', () => {
    expect(pathOf(API.getSubmission, { op: 'op 1', id: 'KE/../x' })).toBe(
      '/operations/op%201/submissions/KE%2F..%2Fx',
    );
  });

  it('refuses a call that leaves a path parameter out', () => {
    expect(() => pathOf(API.getSubmission, { op: 'op-1' })).toThrow(/path parameter id/);
  });

  it('writes the query in the order given, leaving out absent and empty values', () => {
    expect(searchOf({ country: 'KE', verdict: null, limit: 50, cursor: '', x: undefined })).toBe(
      '?country=KE&limit=50',
    );
    expect(searchOf({})).toBe('');
  });
});

describe('createClient', () => {
  it('calls a route with the token and answers its JSON', async () => {
    const { fetch, sent } = recording(() => json({ operations: [] }));
    const client = createClient({ baseUrl: base, token: 'tok', fetch });

    expect(await client.call(API.listOperations, {})).toEqual({ operations: [] });
    expect(sent[0]).toMatchObject({
      url: `${base}/operations`,
      init: { method: 'GET', headers: { Authorization: 'Bearer tok', Accept: 'application/json' } },
    });
  });

  it('sends no token to a public route', async () => {
    const { fetch, sent } = recording(() => json({ ok: true, service: 'optally' }));
    await createClient({ baseUrl: base, token: 'tok', fetch }).call(API.health, {});

    expect(sent[0]?.init.headers.Authorization).toBeUndefined();
  });

  it('sends a JSON body as JSON, and a file as its bytes with its type', async () => {
    const { fetch, sent } = recording(() => json({}, 201));
    const client = createClient({ baseUrl: base, token: 't', fetch });

    await client.call(API.createUpload, {
      params: { op: 'op-1' },
      body: { fileName: 'r.csv', dryRun: true },
    });
    await client.call(API.validate, {
      params: { op: 'op-1' },
      query: { fileName: 'r.csv' },
      body: { bytes: new Uint8Array([1, 2]), contentType: 'text/csv' },
    });

    expect(sent[0]?.init).toMatchObject({
      method: 'POST',
      body: '{"fileName":"r.csv","dryRun":true}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(sent[1]?.url).toBe(`${base}/operations/op-1/validate?fileName=r.csv`);
    expect(sent[1]?.init.body).toEqual(new Uint8Array([1, 2]));
    expect(sent[1]?.init.headers['Content-Type']).toBe('text/csv');
  });

  it('returns a 304 as is, for the caller to keep what it has', async () => {
    const { fetch, sent } = recording(() => new Response(null, { status: 304 }));
    const answer = await createClient({ baseUrl: base, token: 't', fetch }).send(API.getRollup, {
      params: { op: 'op-1' },
      etag: '"4-open"',
    });

    expect(answer.status).toBe(304);
    expect(sent[0]?.init.headers['If-None-Match']).toBe('"4-open"');
  });

  it('turns an error answer into an ApiError with the status, the API’s code and message, and the request', async () => {
    const { fetch } = recording(() =>
      json({ error: 'unknown-operation', message: 'There is no operation "x".' }, 404),
    );
    const client = createClient({
      baseUrl: base,
      token: 't',
      fetch,
      advice: (_status, code) => (code === 'unknown-operation' ? 'Check --operation.' : null),
    });

    const failure = await client.call(API.getOperation, { params: { op: 'x' } }).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({
      status: 404,
      code: 'unknown-operation',
      message: 'There is no operation "x".',
      request: 'GET /operations/x',
      advice: 'Check --operation.',
    });
  });

  it('says what answered when an error answer is not the API’s JSON', async () => {
    const { fetch } = recording(() => new Response('', { status: 502, statusText: 'Bad Gateway' }));
    const failure = await createClient({ baseUrl: base, fetch })
      .call(API.listOperations, {})
      .catch((e: unknown) => e);

    expect(failure).toMatchObject({
      status: 502,
      code: null,
      message: 'GET /operations answered 502 Bad Gateway',
    });
  });

  it('reports no answer as status 0, or as the caller’s own error', async () => {
    const fetch = async (): Promise<Response> => {
      throw new TypeError('Failed to fetch');
    };

    await expect(createClient({ baseUrl: base, fetch }).call(API.health, {})).rejects.toMatchObject({
      name: 'ApiError',
      status: 0,
      code: 'unreachable',
    });
    await expect(
      createClient({ baseUrl: base, fetch, unreachable: () => new RangeError('offline') }).call(
        API.health,
        {},
      ),
    ).rejects.toThrow(RangeError);
  });
});
