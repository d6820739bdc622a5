import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { ObjectStore } from '../../shared/adapters/objects.ts';
import { type Repository, type Submission, submissionStatus } from '../../shared/adapters/repository.ts';
import { type Action, authorize, principalFromClaims } from '../../shared/domain/policy.ts';
import { rollup } from '../../shared/domain/rollup.ts';
import { reportKey, type StoredReport } from '../ingest/ingest.ts';
import { type ApiRequest, type ApiResponse, HttpError, json, readEvent, toResponse } from './http.ts';

/** What the API needs from the outside world. */
export type ApiDeps = {
  repo: Repository;
  objects: ObjectStore;
  /** Shown by GET /health on the local stack only. */
  local?: { s3Endpoint: string; bucket: string; dynamodbEndpoint: string } | undefined;
};

type Route = {
  method: 'GET' | 'POST';
  pattern: string;
  auth: boolean;
  handle: (req: ApiRequest, deps: ApiDeps) => Promise<ApiResponse>;
};

/** Every route of the HTTP API; the deployment registers exactly these. */
export const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: '/health', auth: false, handle: health },
  { method: 'GET', pattern: '/operations', auth: true, handle: listOperations },
  { method: 'GET', pattern: '/operations/{op}', auth: true, handle: getOperation },
  { method: 'GET', pattern: '/operations/{op}/rollup', auth: true, handle: getRollup },
  { method: 'GET', pattern: '/operations/{op}/countries/{cc}', auth: true, handle: getCountry },
  { method: 'GET', pattern: '/operations/{op}/submissions', auth: true, handle: listSubmissions },
  { method: 'GET', pattern: '/operations/{op}/submissions/{id}', auth: true, handle: getSubmission },
];

/** Routes a payload 2.0 event, authorizing from the verified JWT claims; never throws. */
export function makeApiHandler(deps: ApiDeps) {
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
      return toResponse(e);
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
        params[p.slice(1, -1)] = decodeURIComponent(part);
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

function allow(req: ApiRequest, action: Action): void {
  if (!req.principal) throw new HttpError(401, 'unauthorized', 'Send Authorization: Bearer <token>.');
  const decision = authorize(req.principal, action);
  if (!decision.ok) throw HttpError.denied(decision.error);
}

async function operationOr404(req: ApiRequest, deps: ApiDeps) {
  const id = req.params.op ?? '';
  const record = await deps.repo.getOperation(id);
  if (!record)
    throw new HttpError(
      404,
      'unknown-operation',
      `There is no operation "${id}"; GET /operations lists them.`,
    );
  return record;
}

async function health(_req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  return json(200, { ok: true, service: 'optally', ...(deps.local ? { local: deps.local } : {}) });
}

async function listOperations(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  allow(req, { kind: 'list-operations' });
  const ops = await deps.repo.listOperations();
  return json(200, {
    operations: ops.map((o) => ({
      id: o.definition.id,
      name: o.definition.name,
      window: o.definition.window,
      participants: o.definition.participants.length,
      status: o.status,
    })),
  });
}

async function getOperation(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  allow(req, { kind: 'read-operation' });
  const record = await operationOr404(req, deps);
  return json(200, { definition: record.definition, status: record.status, statusLog: record.statusLog });
}

/**
 * The rollup: one BatchGetItem. The ETag names the version and status, so an unchanged rollup
 * answers 304 and a client never needs to download it twice.
 */
async function getRollup(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  allow(req, { kind: 'read-rollup' });
  const op = req.params.op ?? '';
  const stored = await deps.repo.getRollup(op);
  if (!stored)
    throw new HttpError(
      404,
      'unknown-operation',
      `There is no operation "${op}"; GET /operations lists them.`,
    );
  const etag = `"${stored.version}-${stored.status}"`;
  const headers = { etag, 'cache-control': 'no-cache' };
  if (req.headers['if-none-match'] === etag) return { statusCode: 304, headers, body: '' };
  let body = stored.body;
  if (body === null) {
    // No upload yet: the empty rollup of the definition (version 0).
    const record = await operationOr404(req, deps);
    body = JSON.stringify(rollup(record.definition, []));
  }
  // The stored JSON is spliced rather than parsed and re-serialized: the rollup read stays cheap.
  return json(200, `${body.slice(0, -1)},"status":${JSON.stringify(stored.status)}}`, headers);
}

async function getCountry(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const country = req.params.cc ?? '';
  allow(req, { kind: 'read-country', country });
  const record = await operationOr404(req, deps);
  const participant = record.definition.participants.find((p) => p.code === country);
  if (!participant) {
    throw new HttpError(
      404,
      'unknown-country',
      `${country} is not a participant of ${record.definition.name}.`,
    );
  }
  const state = await deps.repo.getCountry(record.definition.id, country);
  if (!state)
    return json(200, { country, name: participant.name, region: participant.region, reported: false });
  const detail = await deps.objects.getJson<StoredReport>(
    reportKey(record.definition.id, country, state.submissionId),
  );
  return json(200, {
    country,
    name: participant.name,
    region: participant.region,
    reported: true,
    submissionId: state.submissionId,
    receivedAt: state.receivedAt,
    acceptedAt: state.acceptedAt,
    firstAcceptedAt: state.firstAcceptedAt,
    totals: state.figures.totals,
    byDay: state.figures.byDay,
    byBreakdown: state.figures.byBreakdown,
    byDayBreakdown: detail?.figures?.byDayBreakdown ?? {},
  });
}

function view(sub: Submission, current: { submissionId: string } | null) {
  const { summary: _summary, orderKey: _orderKey, ...rest } = sub;
  return { ...rest, status: submissionStatus(sub, current) };
}

async function listSubmissions(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const who = req.principal;
  const requested = req.query.country?.toUpperCase() ?? (who?.role === 'agency' ? who.country : null);
  allow(req, { kind: 'list-submissions', country: requested });
  const record = await operationOr404(req, deps);
  const limit = Math.min(Math.max(Number(req.query.limit ?? '100') || 100, 1), 1000);
  const page = await deps.repo.listSubmissions(record.definition.id, requested, {
    limit,
    cursor: req.query.cursor,
  });
  const states = new Map((await deps.repo.listCountries(record.definition.id)).map((s) => [s.country, s]));
  return json(200, {
    submissions: page.submissions.map((s) => view(s, states.get(s.country) ?? null)),
    cursor: page.cursor,
  });
}

async function getSubmission(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const id = req.params.id ?? '';
  const record = await operationOr404(req, deps);
  const sub = await deps.repo.getSubmission(record.definition.id, id);
  // Authorize on the submission's country; an agency learns nothing about other countries' ids.
  const country = sub?.country ?? id.slice(0, 2);
  allow(req, { kind: 'read-submission', country });
  if (!sub)
    throw new HttpError(
      404,
      'unknown-submission',
      `There is no submission "${id}" in ${record.definition.id}.`,
    );
  const current = await deps.repo.getCountry(record.definition.id, sub.country);
  const stored = sub.reportKey ? await deps.objects.getJson<StoredReport>(sub.reportKey) : null;
  return json(200, { submission: view(sub, current), report: stored?.report ?? null });
}
