import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../cli/api-client.ts';
import { loadEvent } from '../../events/load-event.ts';
import { makeApiHandler } from '../../functions/api/routes.ts';
import { createApi } from '../../web/src/api-client.ts';
import { aReturn } from '../support/builders.ts';
import { freshStack } from '../support/local-servers.ts';

const OP = 'liberterra-iii';
const FORMATS = ['json', 'csv', 'sdmx-csv'] as const;
/** Far below any real export: every format of this small operation goes through S3. */
const TEST_INLINE_LIMIT = 512;

/**
 * Final exports above the inline limit travel through S3 (a Lambda response is capped at 6 MB):
 * written once under their manifest digest, answered with a 303 to a presigned GET, which the
 * local S3 server serves. The stack runs with a lowered limit; the inline answer to compare with
 * comes from the same handler code with the default limit, on the same stores.
 */
describe('final exports too large to answer inline', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let digest: string;
  const final = (format: string, init: RequestInit = {}) =>
    fetch(`${stack.apiUrl}/operations/${OP}/final?format=${format}`, {
      ...init,
      headers: { authorization: `Bearer ${stack.tokens.auditor}`, ...init.headers },
    });
  /** What the API Lambda answers with the default limit: the inline answer. */
  const inline = async (format: string): Promise<APIGatewayProxyStructuredResultV2> => {
    const event = loadEvent('http-api-request');
    event.rawPath = `/operations/${OP}/final`;
    event.requestContext.http.path = event.rawPath;
    event.queryStringParameters = { format };
    event.requestContext.authorizer.jwt.claims = { sub: 'auditor-1', 'cognito:groups': '[auditor]' };
    return makeApiHandler({ repo: stack.repo, objects: stack.objects })(event);
  };
  const exportPuts: string[] = [];

  beforeAll(async () => {
    stack = await freshStack({ api: { inlineAnswerLimit: TEST_INLINE_LIMIT } });
    stack.objects.s3.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: string }).Key ?? '';
        if (context.commandName === 'PutObjectCommand' && key.startsWith('exports/')) exportPuts.push(key);
        return next(args);
      },
      { step: 'initialize', name: 'recordExportPuts' },
    );
    await stack.putReturn(
      `incoming/${OP}/BR/r.csv`,
      aReturn().withRow('2025-11-12', 'arrests', 12).withRow('2025-11-13', 'arrests', 8).csv(),
    );
    await stack.putReturn(`incoming/${OP}/KE/r.csv`, aReturn().withRow('2025-11-14', 'arrests', 5).csv());
    await stack.settled();
    const admin = { authorization: `Bearer ${stack.tokens.admin}`, 'content-type': 'application/json' };
    for (const status of ['closed', 'final']) {
      const res = await fetch(`${stack.apiUrl}/operations/${OP}/status`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ status, reason: 'test' }),
      });
      expect(res.status).toBe(200);
      digest = ((await res.json()) as { manifestSha256?: string }).manifestSha256 ?? '';
    }
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('answers an export above the limit with a 303 to a short-lived presigned link, digest header kept', async () => {
    const res = await final('csv', { redirect: 'manual' });

    expect(res.status).toBe(303);
    expect(res.headers.get('x-manifest-sha256')).toBe(digest);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(
      `${stack.s3Endpoint}/${stack.bucket}/exports/${OP}/${digest}.csv`,
    );
    expect(location.searchParams.get('X-Amz-Expires')).toBe('300');
  });

  it('keeps an answer under the limit inline', async () => {
    const answer = await inline('csv');

    expect(answer.statusCode).toBe(200);
    expect(answer.headers?.['x-manifest-sha256']).toBe(digest);
  });

  it.each(FORMATS)('serves through the link exactly the bytes of the inline %s answer', async (format) => {
    const expected = await inline(format);

    const followed = await final(format);

    expect(followed.status).toBe(200);
    expect(followed.redirected).toBe(true);
    expect(await followed.text()).toBe(expected.body);
    expect(followed.headers.get('content-type')).toBe(expected.headers?.['content-type']);
    expect(followed.headers.get('content-disposition')).toBe(
      expected.headers?.['content-disposition'] ?? null,
    );
    expect(followed.headers.get('x-amz-meta-manifest-sha256')).toBe(digest);
  });

  it('writes each export once, under its manifest digest, and never rewrites it', async () => {
    for (const format of FORMATS) await final(format, { redirect: 'manual' });
    for (const format of FORMATS) await final(format, { redirect: 'manual' });

    expect([...exportPuts].sort()).toEqual([
      `exports/${OP}/${digest}.csv`,
      `exports/${OP}/${digest}.json`,
      `exports/${OP}/${digest}.sdmx.csv`,
    ]);
    expect((await stack.objects.list(`exports/${OP}/`)).map((o) => o.key).sort()).toEqual(
      [...exportPuts].sort(),
    );
  });

  it('lets a dashboard page read the followed download: CORS on the bucket exposes the digest', async () => {
    const res = await final('csv', { redirect: 'manual' });

    const download = await fetch(res.headers.get('location') ?? '', { headers: { origin: stack.apiUrl } });

    expect(download.status).toBe(200);
    expect(download.headers.get('access-control-allow-origin')).toMatch(/^(\*|http:\/\/127\.0\.0\.1:\d+)$/);
    expect(download.headers.get('access-control-expose-headers')?.toLowerCase()).toContain(
      'x-amz-meta-manifest-sha256',
    );
  });

  it('is followed by the CLI client', async () => {
    const client = new ApiClient(stack.apiUrl, stack.tokens.auditor);

    expect(await client.getText(`/operations/${OP}/final?format=sdmx-csv`)).toBe(
      (await inline('sdmx-csv')).body,
    );
  });

  it('is followed by the dashboard client, which still learns the digest', async () => {
    const api = createApi({ baseUrl: stack.apiUrl, token: stack.tokens.auditor });

    const download = await api.downloadFinal(OP, 'csv');
    const shown = await api.getFinal(OP);

    expect(await download.blob.text()).toBe((await inline('csv')).body);
    expect(download.digest).toBe(digest);
    expect(shown?.manifestSha256).toBe(digest);
  });
});
