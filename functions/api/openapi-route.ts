import { type ApiRequest, type ApiResponse, json } from './http.ts';
import type { ApiDeps } from './route-kit.ts';

let served: string | null = null;

/**
 * GET /openapi.json (public): the OpenAPI 3.1 description of every route, built from the API
 * contract once per cold start. Systems that push returns automatically start from it.
 */
export async function openApi(_req: ApiRequest, _deps: ApiDeps): Promise<ApiResponse> {
  // The document builder is loaded on first use (a chunk of its own in the split bundle). zod's JSON
  // Schema code itself stays in the common chunk: zod/mini's schemas import zod's core whole.
  const { openApiDocument } = await import('../../shared/api/openapi.ts');
  served ??= JSON.stringify(openApiDocument());
  return json(200, served, { 'cache-control': 'public, max-age=300' });
}
