import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { defaultLog, type Log } from '../../shared/adapters/telemetry.ts';
import { API } from '../../shared/api/contract.ts';
import { principalFromClaims } from '../../shared/domain/policy.ts';
import type { Locale } from '../../shared/i18n/locale.ts';
import { loadLocale } from '../../shared/i18n/render.ts';
import { finalExport, ledger, setStatus } from './audit-routes.ts';
import { rollupExport } from './export-routes.ts';
import { type ApiResponse, HttpError, msg, readEvent, toResponse } from './http.ts';
import {
  getCountry,
  getOperation,
  getRollup,
  getSubmission,
  health,
  listOperations,
  listSubmissions,
} from './live-routes.ts';
import { notifications, sendReminders } from './notify-routes.ts';
import { openApi } from './openapi-route.ts';
import { finalSignature, publicKey, uploadProof } from './proof-routes.ts';
import { getRollupHistory } from './rollup-routes.ts';
import { type ApiDeps, type Route, routeKey, serve } from './route-kit.ts';
import { finalStructure } from './sdmx-routes.ts';
import { createUpload, csvTemplateRoute, getUpload, validate, xlsxTemplateRoute } from './upload-routes.ts';

export type { ApiDeps } from './route-kit.ts';

/**
 * Every route of the HTTP API, each serving its entry of the API contract (shared/api/contract.ts);
 * the deployment registers exactly these, and GET /openapi.json describes them.
 */
export const ROUTES: readonly Route[] = [
  serve(API.health, health),
  serve(API.openapi, openApi),
  serve(API.listOperations, listOperations),
  serve(API.getOperation, getOperation),
  serve(API.getRollup, getRollup),
  serve(API.rollupHistory, getRollupHistory),
  serve(API.rollupExport, rollupExport),
  serve(API.getCountry, getCountry),
  serve(API.listSubmissions, listSubmissions),
  serve(API.getSubmission, getSubmission),
  serve(API.createUpload, createUpload),
  serve(API.getUpload, getUpload),
  serve(API.validate, validate),
  serve(API.csvTemplate, csvTemplateRoute),
  serve(API.xlsxTemplate, xlsxTemplateRoute),
  serve(API.setStatus, setStatus),
  serve(API.ledger, ledger),
  serve(API.finalExport, finalExport),
  serve(API.finalSignature, finalSignature),
  serve(API.finalStructure, finalStructure),
  serve(API.publicKey, publicKey),
  serve(API.uploadProof, uploadProof),
  serve(API.sendReminders, sendReminders),
  serve(API.listNotifications, notifications),
];

/**
 * Routes a payload 2.0 event, authorizing from the verified JWT claims; never throws. A failure
 * that is not an expected one (a 500) is logged to `log` (default: JSON lines on stdout).
 */
export function makeApiHandler(deps: ApiDeps, log: Log = defaultLog()) {
  return async (event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<ApiResponse> => {
    let matched: Route | undefined;
    let locale: Locale = 'en';
    try {
      const base = readEvent(event);
      locale = base.locale;
      // Loaded before routing: the router's own errors are answered in the request's language too.
      await loadLocale(locale);
      const match = matchRoute(base.method, base.path);
      matched = match?.route;
      if (!match)
        throw new HttpError(
          'not-found',
          msg('error.not-found.route', { method: base.method, path: base.path }),
        );
      let principal = null;
      if (match.route.auth) {
        const who = principalFromClaims(event.requestContext.authorizer?.jwt?.claims);
        if (!who.ok) throw HttpError.refused(who.error);
        principal = who.value;
      }
      return await match.route.handle({ ...base, params: match.params, principal }, deps);
    } catch (e) {
      return toResponse(e, log, matched && routeKey(matched), locale);
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
  if (pathMatched)
    throw new HttpError('method-not-allowed', msg('error.method-not-allowed', { method, path }));
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
    throw new HttpError('bad-path', msg('error.bad-path', { path, part }));
  }
}
