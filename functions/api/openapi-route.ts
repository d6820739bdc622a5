import { openApiDocument } from '../../shared/api/openapi.ts';
import { type ApiRequest, type ApiResponse, json } from './http.ts';
import type { ApiDeps } from './route-kit.ts';

let served: string | null = null;

/**
 * GET /openapi.json (public): the OpenAPI 3.1 description of every route, built from the API
 * contract once per cold start. Systems that push returns automatically start from it.
 */
export async function openApi(_req: ApiRequest, _deps: ApiDeps): Promise<ApiResponse> {
  served ??= JSON.stringify(openApiDocument());
  return json(200, served, { 'cache-control': 'public, max-age=300' });
}
