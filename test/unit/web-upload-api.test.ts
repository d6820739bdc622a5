import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/client.ts';
import type { Fetch } from '../../web/src/api-client.ts';
import { contentTypeOf, createUploadApi } from '../../web/src/upload-api.ts';

/** A fetch answering every request with `answer`, recording what was asked. */
function answering(answer: () => Response) {
  const requests: { url: string; init: RequestInit | undefined }[] = [];
  const fetch: Fetch = async (url, init) => {
    requests.push({ url, init });
    return answer();
  };
  return { fetch, requests };
}

describe('the upload client', () => {
  it('sends a dry run with the file as the body, its name in the query and its type as Content-Type', async () => {
    const { fetch, requests } = answering(
      () => new Response(JSON.stringify({ dryRun: true }), { status: 200 }),
    );
    const api = createUploadApi({ baseUrl: 'http://api.test', token: 't0k', fetch });
    const file = new Blob(['{"rows":[]}']);

    await api.validateFile('op 1', file, 'return (1).json');

    expect(requests).toHaveLength(1);
    const url = new URL(requests[0]?.url ?? '');
    expect(`${url.origin}${url.pathname}`).toBe('http://api.test/operations/op%201/validate');
    expect(url.searchParams.get('fileName')).toBe('return (1).json');
    expect(requests[0]?.init).toMatchObject({
      method: 'POST',
      body: file,
      headers: { Authorization: 'Bearer t0k', 'Content-Type': 'application/json' },
    });
  });

  it('turns a refusal into an error carrying the status, the API’s code and its message', async () => {
    const { fetch } = answering(
      () =>
        new Response(JSON.stringify({ error: 'forbidden', message: 'An agency of BR may not act for FR.' }), {
          status: 403,
        }),
    );
    const api = createUploadApi({ baseUrl: 'http://api.test', token: 't', fetch });

    const refusal = await api.createSlot('op', 'fr.csv', false).catch((e: unknown) => e);

    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({
      status: 403,
      code: 'forbidden',
      message: 'An agency of BR may not act for FR.',
    });
  });

  it('asks for a stored report as text, with the submission id escaped in the path', async () => {
    const { fetch, requests } = answering(() => new Response('BR-1: accepted\n', { status: 200 }));
    const api = createUploadApi({ baseUrl: 'http://api.test', token: 't', fetch });

    const text = await api.reportText('op', 'BR/1');

    expect(text).toBe('BR-1: accepted\n');
    expect(requests[0]?.url).toBe('http://api.test/operations/op/submissions/BR%2F1?format=text');
    expect(requests[0]?.init).toMatchObject({ method: 'GET', headers: { Accept: 'text/plain' } });
  });

  it('reports an API it cannot reach as status 0', async () => {
    const fetch: Fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    const api = createUploadApi({ baseUrl: 'http://api.test', token: 't', fetch });

    await expect(api.getUpload('op', 'u1')).rejects.toMatchObject({ status: 0, code: 'unreachable' });
  });

  it.each([
    ['return.csv', 'text/csv'],
    ['RETURN.JSON', 'application/json'],
    ['return.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ])('sends %s as %s', (name, type) => {
    expect(contentTypeOf(name)).toBe(type);
  });
});
