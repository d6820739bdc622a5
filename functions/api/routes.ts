import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { ObjectStore } from '../../shared/adapters/objects.ts';
import { type Repository, type Submission, submissionStatus } from '../../shared/adapters/repository.ts';
import { type Action, authorize, principalFromClaims } from '../../shared/domain/policy.ts';
import { formatOf, readReturn } from '../../shared/domain/read-return.ts';
import { reportText } from '../../shared/domain/report-text.ts';
import { rollup } from '../../shared/domain/rollup.ts';
import { safeFileName, uploadIdOf } from '../../shared/domain/uploads.ts';
import { reportKey, type StoredReport } from '../ingest/ingest.ts';
import { type ApiRequest, type ApiResponse, HttpError, json, readEvent, toResponse } from './http.ts';

/** What the API needs from the outside world. */
export type ApiDeps = {
  repo: Repository;
  objects: ObjectStore;
  /** Random hex for upload ids (tests may fix it). */
  randomHex?: (bytes: number) => string;
  now?: () => Date;
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
  { method: 'POST', pattern: '/operations/{op}/uploads', auth: true, handle: createUpload },
  { method: 'GET', pattern: '/operations/{op}/uploads/{uploadId}', auth: true, handle: getUpload },
  { method: 'POST', pattern: '/operations/{op}/validate', auth: true, handle: validate },
];

/** How long an upload slot's presigned POST stays valid. */
const SLOT_SECONDS = 15 * 60;

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

/** The country an agency acts for, or the one an admin names (`country` in the body or query). */
function actingCountry(req: ApiRequest, named: unknown): string {
  const who = req.principal;
  if (who?.role === 'agency' && who.country) {
    if (named !== undefined && named !== null && String(named).toUpperCase() !== who.country) {
      throw new HttpError(403, 'forbidden', `An agency of ${who.country} may not act for ${String(named)}.`);
    }
    return who.country;
  }
  if (typeof named !== 'string' || !/^[A-Za-z]{2}$/.test(named)) {
    throw new HttpError(400, 'country-required', 'Name the country this upload is for: "country": "BR".');
  }
  return named.toUpperCase();
}

function jsonBody(req: ApiRequest): Record<string, unknown> {
  if (!req.body || req.body.length === 0) return {};
  try {
    const parsed = JSON.parse(req.body.toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new HttpError(
    400,
    'bad-request',
    'The body must be a JSON object, e.g. { "fileName": "return.csv" }.',
  );
}

/**
 * An upload slot: a presigned S3 POST for exactly `incoming/{op}/{cc}/{uploadId}/{file name}`
 * (or `dryrun/…` for a dry run), with the operation's size limit and a short expiry. The slot's
 * per-country sequence orders the upload among the country's returns.
 */
async function createUpload(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const body = jsonBody(req);
  const country = actingCountry(req, body.country ?? req.query.country);
  allow(req, { kind: 'upload', country });
  const record = await operationOr404(req, deps);
  const op = record.definition;
  if (!op.participants.some((p) => p.code === country)) {
    throw new HttpError(400, 'unknown-country', `${country} is not a participant of ${op.name}.`);
  }
  const fileName = safeFileName(String(body.fileName ?? body.filename ?? 'return.csv'));
  if (formatOf(fileName) === null) {
    throw new HttpError(
      400,
      'unsupported-format',
      `"${fileName}" is not a return file: use .csv, .json or .xlsx.`,
    );
  }
  const dryRun = body.dryRun === true;
  const now = (deps.now ?? (() => new Date()))();
  const seq = await deps.repo.nextUploadSeq(op.id, country);
  const uploadId = uploadIdOf(seq, (deps.randomHex ?? randomHexBytes)(4));
  const key = `${dryRun ? 'dryrun' : 'incoming'}/${op.id}/${country}/${uploadId}/${fileName}`;
  const maxBytes = op.limits.maxFileBytes;
  const expiresAt = new Date(now.getTime() + SLOT_SECONDS * 1000).toISOString();
  const post = await deps.objects.presignPost(key, maxBytes, SLOT_SECONDS);
  await deps.repo.putSlot({
    uploadId,
    operation: op.id,
    country,
    seq,
    key,
    fileName,
    dryRun,
    createdAt: now.toISOString(),
    expiresAt,
    createdBy: req.principal?.subject ?? 'unknown',
    maxBytes,
  });
  return json(201, {
    uploadId,
    country,
    key,
    sequence: seq,
    dryRun,
    maxBytes,
    expiresAt,
    operationStatus: record.status,
    upload: { method: 'POST', url: post.url, fields: post.fields },
    receipt: `/operations/${op.id}/uploads/${uploadId}`,
  });
}

/** A slot and, once its file has landed, the receipt (upload id, SHA-256, size, received time) and verdict. */
async function getUpload(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const record = await operationOr404(req, deps);
  const uploadId = req.params.uploadId ?? '';
  const slot = await deps.repo.getSlot(record.definition.id, uploadId);
  allow(req, { kind: 'read-submission', country: slot?.country ?? req.principal?.country ?? '' });
  if (!slot)
    throw new HttpError(
      404,
      'unknown-upload',
      `There is no upload "${uploadId}" in ${record.definition.id}.`,
    );
  const [subs, current] = await Promise.all([
    deps.repo.submissionsOfSlot(record.definition.id, slot.country, uploadId),
    deps.repo.getCountry(record.definition.id, slot.country),
  ]);
  const latest = subs.at(-1) ?? null;
  return json(200, {
    upload: slot,
    receipt: latest
      ? {
          uploadId,
          submissionId: latest.id,
          sha256: latest.sha256,
          size: latest.size,
          receivedAt: latest.receivedAt,
        }
      : null,
    submission: latest ? view(latest, current) : null,
    submissions: subs.map((s) => view(s, current)),
  });
}

/**
 * A dry run: the same parser and checks as the ingest, on a file in the body (or one uploaded to
 * a slot, `?uploadId=`), answering the full report and the figures the file would produce. It
 * counts nothing and changes no figure.
 */
async function validate(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const record = await operationOr404(req, deps);
  const op = record.definition;
  let source: AsyncIterable<Uint8Array>;
  let fileName: string;
  let country: string;
  if (req.query.uploadId) {
    const slot = await deps.repo.getSlot(op.id, req.query.uploadId);
    if (!slot)
      throw new HttpError(404, 'unknown-upload', `There is no upload "${req.query.uploadId}" in ${op.id}.`);
    country = slot.country;
    allow(req, { kind: 'upload', country });
    fileName = slot.fileName;
    try {
      source = (await deps.objects.open(slot.key)).body;
    } catch (e) {
      throw new HttpError(409, 'not-uploaded', `Nothing has been uploaded to ${slot.uploadId} yet.`, {
        cause: e,
      });
    }
  } else {
    country = actingCountry(req, req.query.country);
    allow(req, { kind: 'upload', country });
    fileName = safeFileName(
      req.query.fileName ??
        req.query.filename ??
        `return.${formatFromContentType(req.headers['content-type'])}`,
    );
    const body = req.body ?? Buffer.alloc(0);
    source = (async function* () {
      yield body;
    })();
  }
  const format = formatOf(req.query.format ? `file.${req.query.format}` : fileName);
  if (format === null) {
    throw new HttpError(
      400,
      'unsupported-format',
      `Cannot tell the file's format: add ?format=csv|json|xlsx or a fileName.`,
    );
  }
  const previous = await deps.repo.getCountry(op.id, country);
  const checked = await readReturn(source, format, {
    operation: op,
    country,
    previous: previous?.figures ?? null,
  });
  if (req.query.output === 'text') {
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: reportText(checked.report, { fileName }),
    };
  }
  return json(200, { dryRun: true, country, fileName, report: checked.report, figures: checked.figures });
}

function formatFromContentType(type: string | undefined): string {
  if (!type) return 'csv';
  if (type.includes('json')) return 'json';
  if (type.includes('spreadsheetml')) return 'xlsx';
  return 'csv';
}

function randomHexBytes(bytes: number): string {
  return randomBytes(bytes).toString('hex');
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
  const submission = view(sub, current);
  if (req.query.format === 'text') {
    const text = stored
      ? reportText(stored.report, {
          fileName: sub.key.split('/').at(-1),
          submissionId: sub.id,
          status: submission.status,
          sha256: sub.sha256,
          size: sub.size,
        })
      : `${sub.id}: ${submission.status}${sub.failure ? ` — ${sub.failure}` : ''}\n`;
    return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text };
  }
  return json(200, { submission, report: stored?.report ?? null });
}
