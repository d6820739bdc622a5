import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/api/routes.ts';
import { openApiDocument } from '../../shared/api/openapi.ts';

type Operation = {
  operationId: string;
  security?: unknown[];
  parameters?: { name: string; in: string; required: boolean }[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
};

const doc = openApiDocument();
const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({
    key: `${method.toUpperCase()} ${path}`,
    op: op as Operation,
  })),
);
const operation = (key: string): Operation => {
  const found = operations.find((o) => o.key === key);
  if (!found) throw new Error(`the document has no ${key}`);
  return found.op;
};
/** The error codes the document lists under `status` for an operation. */
const codesAt = (key: string, status: number): unknown =>
  (
    operation(key).responses[String(status)]?.content?.['application/json']?.schema as {
      properties?: { error?: { enum?: string[] } };
    }
  )?.properties?.error?.enum;

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with a bearer scheme required by default', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('lists every route of the router, and only those', () => {
    expect(operations.map((o) => o.key).sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.pattern}`).sort());
  });

  it('opens exactly the public routes, and documents 401 and 403 on every other', () => {
    for (const route of ROUTES) {
      const op = operation(`${route.method} ${route.pattern}`);
      if (route.auth) {
        expect(op.security, route.pattern).toBeUndefined();
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
      } else {
        expect(op.security, route.pattern).toEqual([]);
      }
    }
  });

  it('documents a client error on every operation but the health check and this document', () => {
    for (const { key, op } of operations) {
      if (key === 'GET /health' || key === 'GET /openapi.json') continue;
      expect(
        Object.keys(op.responses).some((s) => s.startsWith('4')),
        key,
      ).toBe(true);
    }
  });

  it('lists each error code under the status the route answers it with', () => {
    expect(codesAt('POST /operations/{op}/uploads', 400)).toEqual(
      expect.arrayContaining(['unknown-country']),
    );
    expect(codesAt('GET /operations/{op}/countries/{cc}', 404)).toEqual(
      expect.arrayContaining(['unknown-country', 'unknown-operation']),
    );
    expect(codesAt('POST /operations/{op}/validate', 409)).toEqual(['not-uploaded']);
    expect(codesAt('GET /operations/{op}/uploads/{uploadId}/proof', 404)).toEqual(
      expect.arrayContaining(['not-uploaded']),
    );
  });

  it('names every path parameter, required', () => {
    const params = operation('GET /operations/{op}/uploads/{uploadId}').parameters ?? [];
    expect(params.filter((p) => p.in === 'path')).toEqual([
      expect.objectContaining({ name: 'op', required: true }),
      expect.objectContaining({ name: 'uploadId', required: true }),
    ]);
  });

  it('describes the query of the ledger and the body of an upload slot from their schemas', () => {
    expect(operation('GET /operations/{op}/ledger').parameters?.map((p) => p.name)).toEqual([
      'op',
      'country',
      'verdict',
      'limit',
      'cursor',
    ]);
    const body = operation('POST /operations/{op}/uploads').requestBody?.content['application/json'];
    expect(Object.keys(body?.schema.properties ?? {})).toEqual(['fileName', 'filename', 'country', 'dryRun']);
  });

  it('spells out the upload slot, presigned POST included, for systems that push returns', () => {
    const slot = operation('POST /operations/{op}/uploads').responses['201']?.content?.['application/json']
      ?.schema as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(slot.properties)).toEqual(expect.arrayContaining(['uploadId', 'upload', 'receipt']));
    expect(Object.keys(slot.properties.upload?.properties ?? {})).toEqual(['method', 'url', 'fields']);
  });

  it('gives every operation a unique operationId', () => {
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
