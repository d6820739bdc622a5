import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStackInfo } from '../../local/gateway.ts';
import type { Submission } from '../../shared/domain/ledger.ts';
import type { Problem } from '../../shared/domain/problems.ts';
import type { RollupView } from '../../shared/domain/rollup.ts';
import { freshStack } from '../support/local-servers.ts';

const OP = 'liberterra-iii';

describe('the local stack end to end: S3 API in, HTTP API out', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.apiUrl}${path}`, {
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    });

  /** Polls the rollup until `ready` holds (the pipeline is asynchronous, as on AWS). */
  async function rollupWhen(ready: (r: RollupView) => boolean): Promise<RollupView> {
    for (let i = 0; i < 200; i++) {
      const r = (await (
        await get(`/operations/${OP}/rollup`, stack.tokens.coordinator)
      ).json()) as RollupView;
      if (ready(r)) return r;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    throw new Error('the rollup never reached the expected state');
  }

  beforeAll(async () => {
    stack = await freshStack();
  });
  afterAll(async () => {
    await stack.dispose();
  });

  it('answers /health without a token, as deployed: nothing about the local stack', async () => {
    const body = (await (await get('/health')).json()) as Record<string, unknown>;

    expect(body).toEqual({ ok: true, service: 'optally' });
  });

  it('describes itself at /local/info: its data folder, its S3 and DynamoDB endpoints, its SMTP server', async () => {
    const info = (await (await get('/local/info')).json()) as LocalStackInfo;

    expect(info).toEqual({
      service: 'optally-local',
      dataDir: stack.dataDir,
      s3Endpoint: stack.s3Endpoint,
      bucket: stack.bucket,
      dynamodbEndpoint: stack.dynamodbEndpoint,
      table: stack.table,
      smtp: `127.0.0.1:${stack.mail.port}`,
      mailDir: join(stack.dataDir, 'mail'),
    });
  });

  it('shows a return put into the S3 API in the rollup read over HTTP', async () => {
    await stack.putReturn(
      `incoming/${OP}/BR/return.csv`,
      'date,metric,breakdown,value\n2025-11-12,arrests,,12\n2025-11-12,officers_deployed,,0\n',
    );
    const r = await rollupWhen((x) => x.byCountry?.BR !== undefined);
    expect(r.totals.arrests).toBe(12);
    expect(r.byCountry.BR?.officers_deployed).toBe(0);
    expect(r.byCountry.BR?.investigations_opened).toBeNull();
    expect(r.byRegion.Americas?.arrests).toBe(12);
    expect(r.progress).toMatchObject({ expected: 119, reported: 1 });
    expect(r.progress.missing).toHaveLength(118);
    expect(r.status).toBe('open');
  });

  it('answers 304 to a conditional read when nothing changed', async () => {
    const first = await get(`/operations/${OP}/rollup`, stack.tokens.coordinator);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    const again = await get(`/operations/${OP}/rollup`, stack.tokens.coordinator, { 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it('rejects an invalid return with row-level errors and changes nothing', async () => {
    const before = await rollupWhen(() => true);
    await stack.putReturn(
      `incoming/${OP}/ES/bad.csv`,
      'date,metric,value\n2025-11-12,arrests,12\n2025-11-30,arrests,1,200\n',
    );
    const agency = await stack.tokens.agency('ES');
    let subs: Submission[] = [];
    for (let i = 0; i < 200 && !subs.some((s) => s.status === 'rejected'); i++) {
      subs = (
        (await (await get(`/operations/${OP}/submissions`, agency)).json()) as {
          submissions: Submission[];
        }
      ).submissions;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    const [rejected] = subs;
    const detail = (await (await get(`/operations/${OP}/submissions/${rejected?.id}`, agency)).json()) as {
      report: { problems: Problem[] };
    };
    expect(detail.report.problems.map((p) => [p.code, p.row])).toEqual([['wrong-field-count', 3]]);
    const after = await rollupWhen(() => true);
    expect(after.version).toBe(before.version);
    expect(after.byCountry.ES).toBeUndefined();
  });

  it('refuses a request without a valid token', async () => {
    expect((await get(`/operations/${OP}/rollup`)).status).toBe(401);
    expect((await get(`/operations/${OP}/rollup`, 'not-a-jwt')).status).toBe(401);
  });

  it('answers 400 bad-path to an API path with a malformed %-escape', async () => {
    const response = await get('/operations/%E0%A4%A/rollup', stack.tokens.coordinator);

    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('bad-path');
  });

  it('answers 400 to a dashboard path with a malformed %-escape', async () => {
    const response = await get('/assets/%E0%A4%A.js');

    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('bad-path');
  });

  it('refuses agencies the global rollup and other countries’ submissions', async () => {
    const agency = await stack.tokens.agency('FR');
    expect((await get(`/operations/${OP}/rollup`, agency)).status).toBe(403);
    const other = await get(`/operations/${OP}/submissions?country=BR`, agency);
    expect(other.status).toBe(403);
    expect(((await other.json()) as { message: string }).message).toMatch(/FR may list only its own/);
  });

  /** A GET with the Host header as given (fetch would not let a test set it). */
  const getWithHost = (path: string, host: string): Promise<number> =>
    new Promise((ok, fail) => {
      const url = new URL(path, stack.apiUrl);
      request(url, { headers: { host } }, (res) => {
        res.resume();
        ok(res.statusCode ?? 0);
      })
        .on('error', fail)
        .end();
    });

  it('hands out local tokens to requests for its own loopback address', async () => {
    const port = new URL(stack.apiUrl).port;

    const tokens = (await (await get('/local/tokens')).json()) as { coordinator: string };

    expect(tokens.coordinator).toBe(stack.tokens.coordinator);
    expect(await getWithHost('/local/tokens', `localhost:${port}`)).toBe(200);
    expect(await getWithHost('/local/tokens', `LOCALHOST:${port}`)).toBe(200);
  });

  it.each([
    ['another host name (DNS rebinding)', (_port: string) => 'evil.example'],
    ['another host name with our port', (port: string) => `evil.example:${port}`],
    ['our address with another port', (_port: string) => '127.0.0.1:1'],
    ['a host name ending in ours', (port: string) => `localhost.evil.example:${port}`],
  ])('refuses local tokens and local info with 403 to a request for %s', async (_case, host) => {
    const port = new URL(stack.apiUrl).port;

    expect(await getWithHost('/local/tokens', host(port))).toBe(403);
    expect(await getWithHost('/local/info', host(port))).toBe(403);
  });

  it('lists the shipped operation', async () => {
    const body = (await (await get('/operations', stack.tokens.auditor)).json()) as {
      operations: Record<string, unknown>[];
    };
    expect(body.operations).toContainEqual(
      expect.objectContaining({ id: OP, name: 'Operation Liberterra III', participants: 119 }),
    );
  });
});
