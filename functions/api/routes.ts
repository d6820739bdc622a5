import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { defaultLog, type Log } from '../../shared/adapters/telemetry.ts';
import { principalFromClaims } from '../../shared/domain/policy.ts';
import { finalExport, ledger, setStatus } from './audit-routes.ts';
import { type ApiResponse, HttpError, readEvent, toResponse } from './http.ts';
import {
  getCountry,
  getOperation,
  getRollup,
  getSubmission,
  health,
  listOperations,
  listSubmissions,
} from './live-routes.ts';
import { finalSignature, publicKey, uploadProof } from './proof-routes.ts';
import type { ApiDeps, Route } from './route-kit.ts';
import { finalStructure } from './sdmx-routes.ts';
import { createUpload, csvTemplateRoute, getUpload, validate, xlsxTemplateRoute } from './upload-routes.ts';

export type { ApiDeps } from './route-kit.ts';

/** Every route of the HTTP API; the deployment registers exactly these. */
export const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: '/health', auth: false, handle: health },
  { method: 'GET', pattern: '/operations', auth: true, handle: listOperations },
  { method: 'GET', pattern: '/operations/{op}', auth: true, handle: getOperation },
  { method: 'GET', pattern: '/operations/{op}/rollup', auth: true, handle: getRollup },
  { method: 'GET', pattern: '/operations/{op}/countries/{cc}', auth: true, handle: getCountry },
  { method: 'GET', pattern: '/operations/{op}/submissions', auth: true, handle: listSubmissions },
  { method: 'GET', pattern: '/operations/{op}/submissions/{id}', auth: true, handle: getSubmission },
  { method: 'POST', pattern: '/operations/{op}/uploads', auth: true, handle: createUpload },
  { method: 'GET', pattern: '/operations/{op}/uploads/{uploadId}', auth: true, handle: getUpload },
  { method: 'POST', pattern: '/operations/{op}/validate', auth: true, handle: validate },
  { method: 'GET', pattern: '/operations/{op}/template.csv', auth: true, handle: csvTemplateRoute },
  { method: 'GET', pattern: '/operations/{op}/template.xlsx', auth: true, handle: xlsxTemplateRoute },
  { method: 'POST', pattern: '/operations/{op}/status', auth: true, handle: setStatus },
  { method: 'GET', pattern: '/operations/{op}/ledger', auth: true, handle: ledger },
  { method: 'GET', pattern: '/operations/{op}/final', auth: true, handle: finalExport },
  { method: 'GET', pattern: '/operations/{op}/final/signature', auth: true, handle: finalSignature },
  { method: 'GET', pattern: '/operations/{op}/final/structure', auth: true, handle: finalStructure },
  { method: 'GET', pattern: '/operations/{op}/final/public-key', auth: false, handle: publicKey },
  { method: 'GET', pattern: '/operations/{op}/uploads/{uploadId}/proof', auth: true, handle: uploadProof },
];

/**
 * Routes a payload 2.0 event, authorizing from the verified JWT claims; never throws. A failure
 * that is not an expected one (a 500) is logged to `log` (default: JSON lines on stdout).
 */
export function makeApiHandler(deps: ApiDeps, log: Log = defaultLog()) {
  return async (event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<ApiResponse> => {
    try {
      const base = readEvent(event);
      const match = matchRoute(base.method, base.path);
      if (!match) throw new HttpError(404, 'not-found', `No route ${base.method} ${base.path}.`);
      let principal = null;
      if (match.route.auth) {
        const who = principalFromClaims(event.requestContext.authorizer?.jwt?.claims);
        if (!who.ok) throw HttpError.denied(who.error);
        principal = who.value;
      }
      return await match.route.handle({ ...base, params: match.params, principal }, deps);
    } catch (e) {
      return toResponse(e, log);
    }
  };
}

/** Finds the route for a method and path, with its path parameters. */
export function matchRoute(
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | null {
  const parts = path.replace(/\/+$/, '').split('/');
  let pathMatched = false;
  for (const route of ROUTES) {
    const pattern = route.pattern.split('/');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((p, i) => {
      const part = parts[i] ?? '';
      if (p.startsWith('{')) {
        if (part === '') return false;
        params[p.slice(1, -1)] = decodePathPart(part, path);
        return true;
      }
      return p === part;
    });
    if (!ok) continue;
    pathMatched = true;
    if (route.method === method) return { route, params };
  }
  if (pathMatched) throw new HttpError(405, 'method-not-allowed', `${method} is not allowed on ${path}.`);
  return null;
}

/**
 * A %-encoded path segment, decoded. A malformed escape (`%E0%A4%A`, a lone `%`, bytes that are
 * no UTF-8 character) is the caller's mistake, not the server's: a 400 saying so.
 */
function decodePathPart(part: string, path: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(
      400,
      'bad-path',
      `The path ${path} has a malformed %-escape in "${part}"; write each byte as % and two hex digits, of whole UTF-8 characters.`,
    );
  }
}
