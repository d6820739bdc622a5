import * as z from 'zod/mini';
import type { ObjectStore } from '../../shared/adapters/objects.ts';
import type { Repository } from '../../shared/adapters/repository.ts';
import { type AnyRoute, type JsonBody, routeKeyOf } from '../../shared/api/contract.ts';
import type { SubmissionView } from '../../shared/api/responses.ts';
import type { NotifyDeps } from '../../shared/app/notify.ts';
import type { Signer } from '../../shared/app/sign-manifest.ts';
import type { Report } from '../../shared/domain/check-return.ts';
import {
  DIGEST_HEADER,
  DIGEST_METADATA_KEY,
  EXPORT_LINK_SECONDS,
  INLINE_ANSWER_LIMIT_BYTES,
} from '../../shared/domain/export-delivery.ts';
import { type FinalFile, responseBodyBytes } from '../../shared/domain/final-files.ts';
import type { Submission } from '../../shared/domain/ledger.ts';
import type { Operation } from '../../shared/domain/operation.ts';
import { type Action, authorize } from '../../shared/domain/policy.ts';
import { shownVerdict } from '../../shared/domain/submission-view.ts';
import type { Locale } from '../../shared/i18n/locale.ts';
import { loadLocale, renderProblem } from '../../shared/i18n/render.ts';
import { type ApiRequest, type ApiResponse, HttpError, msg } from './http.ts';

/** What the API needs from the outside world. */
export type ApiDeps = {
  repo: Repository;
  objects: ObjectStore;
  /** Random hex for upload ids (tests may fix it). */
  randomHex?: (bytes: number) => string;
  /** The clock (tests set it); also what a submission stuck in `processing` is judged against. */
  now?: () => Date;
  /**
   * The largest answer body (bytes, JSON-escaped) sent inline; larger files go through S3 (see
   * `answerFile`). Default INLINE_ANSWER_LIMIT_BYTES; tests lower it.
   */
  inlineAnswerLimit?: number;
  /**
   * The largest answer with full figures (`?figures=full`, the default), bytes as `responseBodyBytes`
   * counts them; a larger one is refused with `figures-too-large`. Default
   * FULL_FIGURES_ANSWER_LIMIT_BYTES (shared/api/figures-detail.ts); tests lower it.
   */
  figuresAnswerLimit?: number;
  /** Signs final manifests (KMS on AWS, a local key pair on the local stack). */
  signer?: Signer | undefined;
  /**
   * Plans, queues and sends reminders and digests (SES on AWS, the local SMTP server on the local
   * stack), for the admin's "send the reminders now" and the outbox. Made on first use: the
   * notifier's code and the mail client load only for those routes, never at a cold start.
   */
  notify?: (() => Promise<NotifyDeps>) | undefined;
};

/** One route: the handlers stay small and share this kit. */
export type Route = {
  method: 'GET' | 'POST';
  pattern: string;
  auth: boolean;
  handle: (req: ApiRequest, deps: ApiDeps) => Promise<ApiResponse>;
  /** The route's entry in the API contract (shared/api/contract.ts), which it serves. */
  contract?: AnyRoute;
};

/**
 * The router's entry for a route of the contract, answered by `handle`. The request's language
 * (`req.locale`) is loaded before the handler runs, so it renders synchronously; the answer says
 * which language it is in (`Content-Language`) and that it depends on `Accept-Language` (`Vary`).
 * An error the handler throws is answered in that language too (`toResponse`).
 */
export function serve(contract: AnyRoute, handle: Route['handle']): Route {
  const localized: Route['handle'] = async (req, deps) => {
    await loadLocale(req.locale);
    const response = await handle(req, deps);
    return {
      ...response,
      headers: {
        'content-language': req.locale,
        vary: 'Accept-Language',
        ...response.headers,
      },
    };
  };
  return {
    method: contract.method,
    pattern: contract.path,
    auth: contract.auth,
    handle: localized,
    contract,
  };
}

/**
 * A report with each problem's `message` and `hint` in `locale` (loaded), the operation's name as
 * its definition translates it; `code`, `variant` and `params` stay as they are, for clients that
 * render themselves. Problems stored before messages became data keep their English text.
 */
export function localizedReport<R extends Pick<Report, 'problems'>>(
  report: R,
  locale: Locale,
  operation?: Pick<Operation, 'name' | 'names'>,
): R {
  if (locale === 'en' && !operation) return report;
  return {
    ...report,
    problems: report.problems.map((p) => ({ ...p, ...renderProblem(p, locale, operation) })),
  };
}

/** The `METHOD /path` key of a router entry (as the contract and API Gateway name routes). */
export function routeKey(route: Pick<Route, 'method' | 'pattern'>): string {
  return routeKeyOf({ method: route.method, path: route.pattern });
}

/** Throws `unauthorized` or `forbidden` unless the caller may do `action`. */
export function allow(req: ApiRequest, action: Action): void {
  if (!req.principal) throw new HttpError('unauthorized', msg('error.unauthorized'));
  const decision = authorize(req.principal, action);
  if (!decision.ok) throw HttpError.refused(decision.error);
}

/** The operation record named in the path, or a 404 naming what exists. */
export async function operationOr404(req: ApiRequest, deps: ApiDeps) {
  const id = req.params.op ?? '';
  const record = await deps.repo.getOperation(id);
  if (!record) throw unknownOperation(id);
  return record;
}

/** The 404 for an operation id that does not exist. */
export function unknownOperation(id: string): HttpError {
  return new HttpError('unknown-operation', msg('error.unknown-operation', { id }));
}

/** The API's current time: `deps.now` when set (tests), else the system clock. */
export function nowOf(deps: Pick<ApiDeps, 'now'>): Date {
  return deps.now ? deps.now() : new Date();
}

/**
 * A submission as the API shows it: status derived (`superseded`, or `failed` once stuck in
 * `processing` past its window: see `shownVerdict`), internals left out. Pass `now` from `nowOf`.
 */
export function submissionView(
  sub: Submission,
  current: { submissionId: string } | null,
  now: Date = new Date(),
): SubmissionView {
  const { summary: _summary, orderKey: _orderKey, ...rest } = sub;
  return { ...rest, ...shownVerdict(sub, current, now) };
}

/**
 * Answers an export file: inline when it fits a Lambda response (capped at 6 MB), else written to
 * S3 once under its content-addressed key and answered `303 See Other` with a short-lived
 * presigned GET. Either way the manifest digest travels in `x-manifest-sha256`; a stored file also
 * carries it as object metadata, for clients that only see the answer at the end of the redirect.
 */
export async function answerFile(deps: ApiDeps, file: FinalFile): Promise<ApiResponse> {
  const served = {
    'content-type': file.contentType,
    ...(file.contentDisposition ? { 'content-disposition': file.contentDisposition } : {}),
  };
  if (responseBodyBytes(file.body) <= (deps.inlineAnswerLimit ?? INLINE_ANSWER_LIMIT_BYTES)) {
    return {
      statusCode: 200,
      headers: { ...served, [DIGEST_HEADER]: file.manifestSha256, 'cache-control': 'no-cache' },
      body: file.body,
    };
  }
  await deps.objects.putOnce(file.key, file.body, {
    contentType: file.contentType,
    contentDisposition: file.contentDisposition,
    metadata: { [DIGEST_METADATA_KEY]: file.manifestSha256 },
  });
  const location = await deps.objects.presignGet(file.key, EXPORT_LINK_SECONDS, {
    contentType: file.contentType,
    contentDisposition: file.contentDisposition,
  });
  return {
    statusCode: 303,
    // The link expires: no cache may replay this answer.
    headers: {
      location,
      [DIGEST_HEADER]: file.manifestSha256,
      'cache-control': 'no-store',
      'content-type': 'application/json; charset=utf-8',
    },
    // For clients that do not follow redirects: where the file is, and for how long.
    body: JSON.stringify({
      location,
      expiresInSeconds: EXPORT_LINK_SECONDS,
      manifestSha256: file.manifestSha256,
    }),
  };
}

/** The request body as a JSON object, or a 400 saying what is expected. */
export function jsonBody(req: ApiRequest): Record<string, unknown> {
  if (!req.body || req.body.length === 0) return {};
  try {
    const parsed = JSON.parse(req.body.toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new HttpError('bad-request', msg('error.bad-request.body-not-object'));
}

/**
 * The request body as the route's contract declares it (a JSON object checked against its schema),
 * or a 400 with the contract's `invalid` code saying which field is wrong and what is expected.
 */
export function bodyOf<S extends z.ZodMiniObject>(
  req: ApiRequest,
  body: JsonBody & { schema: S },
): z.infer<S> {
  const parsed = z.safeParse(body.schema, jsonBody(req));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  const message =
    issue?.code === 'invalid_value'
      ? msg('error.invalid-body.one-of', { field, values: issue.values.join(', ') })
      : issue?.code === 'invalid_type'
        ? msg('error.invalid-body.type', { field, expected: issue.expected })
        : issue?.message !== undefined
          ? msg('error.invalid-body.not-valid', { field, reason: issue.message })
          : msg('error.invalid-body.not-valid-see-api', { field });
  throw new HttpError(body.invalid, message);
}

/** The `limit` of a paginated route: 1 to 1,000, 100 when absent or not a number. */
export function pageLimit(req: ApiRequest): number {
  return Math.min(Math.max(Number(req.query.limit ?? '100') || 100, 1), 1000);
}

/**
 * The submission that counts now for each country of a ledger page (to tell `superseded`): one
 * small read of just those countries' items, not of every country's figures.
 */
export async function currentOf(
  deps: Pick<ApiDeps, 'repo'>,
  op: string,
  page: readonly { country: string }[],
): Promise<(country: string) => { submissionId: string } | null> {
  const current = await deps.repo.currentSubmissions(
    op,
    page.map((s) => s.country),
  );
  return (country) => {
    const submissionId = current.get(country);
    return submissionId ? { submissionId } : null;
  };
}
