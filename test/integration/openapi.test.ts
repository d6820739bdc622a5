import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ROUTES } from '../../functions/api/routes.ts';
import { UploadSlotSchema, UploadStatusSchema } from '../../shared/api/contract.ts';
import type { OpenApiDocument } from '../../shared/api/openapi.ts';
import { freshStack } from '../support/local-servers.ts';

/**
 * GET /openapi.json as a national system meets it: fetched without a token from a running stack,
 * listing the router's routes, and true to what the API answers.
 */

const OP = 'liberterra-iii';

type Documented = { responses: Record<string, { content?: Record<string, { schema: unknown }> }> };

/** The error codes the document lists for `key` under `status`. */
function documentedCodes(doc: OpenApiDocument, key: string, status: number): string[] {
  const [method = '', path = ''] = key.split(' ');
  const op = doc.paths[path]?.[method.toLowerCase()] as Documented | undefined;
  const schema = op?.responses[String(status)]?.content?.['application/json']?.schema as
    | { properties?: { error?: { enum?: string[] } } }
    | undefined;
  return schema?.properties?.error?.enum ?? [];
}

describe('GET /openapi.json', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let doc: OpenApiDocument;
  let answer: Response;

  beforeAll(async () => {
    stack = await freshStack();
    answer = await fetch(`${stack.apiUrl}/openapi.json`);
    doc = (await answer.clone().json()) as OpenApiDocument;
  });
  afterAll(async () => {
    await stack.dispose();
  });

  /** POST /operations/{op}/uploads with `body`, as the holder of `token`. */
  const askForSlot = (token: string, body: unknown) =>
    fetch(`${stack.apiUrl}/operations/${OP}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers the OpenAPI 3.1 document as JSON, without a token', () => {
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('application/json');
    expect(doc.openapi).toBe('3.1.0');
  });

  it('lists every route of the router, and no other', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = ROUTES.map((r) => `${r.method} ${r.pattern}`);

    expect(documented.filter((key) => !served.includes(key))).toEqual([]);
    expect(served.filter((key) => !documented.includes(key))).toEqual([]);
  });

  it('documents the code and status of a refusal as the API answers it', async () => {
    const slotForStranger = await askForSlot(stack.tokens.admin, { country: 'ZZ', fileName: 'r.csv' });
    const unknownOperation = await fetch(`${stack.apiUrl}/operations/nope/ledger`, {
      headers: { authorization: `Bearer ${stack.tokens.auditor}` },
    });

    for (const [key, res] of [
      ['POST /operations/{op}/uploads', slotForStranger],
      ['GET /operations/{op}/ledger', unknownOperation],
    ] as const) {
      const body = (await res.json()) as { error: string; message: string };
      expect(documentedCodes(doc, key, res.status), `${key} answered ${res.status} ${body.error}`).toContain(
        body.error,
      );
    }
  });

  it('describes the upload slot the API hands out, and the receipt and verdict it then shows', async () => {
    const token = await stack.tokens.agency('BR');
    const res = await askForSlot(token, { fileName: 'return.csv' });

    expect(res.status).toBe(201);
    const slot = z.safeParse(UploadSlotSchema, await res.json());
    expect(slot.success ? [] : slot.error.issues).toEqual([]);
    if (!slot.success) return;
    const form = new FormData();
    for (const [k, v] of Object.entries(slot.data.upload.fields)) form.append(k, v);
    form.append('file', new Blob(['date,metric,value\n2025-11-12,arrests,2\n']), 'return.csv');
    expect((await fetch(slot.data.upload.url, { method: 'POST', body: form })).status).toBeLessThan(300);
    await stack.settled();
    const shown = await fetch(`${stack.apiUrl}${slot.data.receipt}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const status = z.safeParse(UploadStatusSchema, await shown.json());
    expect(status.success ? [] : status.error.issues).toEqual([]);
    expect(status.data?.submission?.status).toBe('accepted');
  });

  it('refuses a body that does not match the contract, naming the field', async () => {
    const res = await askForSlot(await stack.tokens.agency('BR'), { fileName: 7 });

    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'bad-request', message: '"fileName" must be a string.' });
  });
});
