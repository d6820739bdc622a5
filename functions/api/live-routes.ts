import { figuresSummary } from '../../shared/api/figures-detail.ts';
import type {
  CountryView,
  Health,
  OperationDetail,
  OperationList,
  SubmissionDetail,
  SubmissionPage,
} from '../../shared/api/responses.ts';
import { definitionFor } from '../../shared/domain/notifications/addresses.ts';
import { reportText } from '../../shared/domain/report-text.ts';
import { reportKey, type StoredReport } from '../../shared/domain/stored-report.ts';
import { figuresAnswer, figuresDetail } from './figures-answer.ts';
import { type ApiRequest, type ApiResponse, HttpError, json, msg } from './http.ts';
import {
  type ApiDeps,
  allow,
  currentOf,
  localizedReport,
  nowOf,
  operationOr404,
  pageLimit,
  submissionView,
} from './route-kit.ts';

/** Liveness, the same everywhere: a local stack describes itself at the gateway's GET /local/info. */
export async function health(_req: ApiRequest, _deps: ApiDeps): Promise<ApiResponse> {
  return json(200, { ok: true, service: 'optally' } satisfies Health);
}

export async function listOperations(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
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
  } satisfies OperationList);
}

export async function getOperation(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  allow(req, { kind: 'read-operation' });
  const record = await operationOr404(req, deps);
  return json(200, {
    // Contact addresses only to those who may read them (an agency: its own).
    definition: definitionFor(record.definition, req.principal ?? { role: 'agency', country: null }),
    definitionVersion: record.definitionVersion,
    definitionLog: record.definitionLog,
    status: record.status,
    statusLog: record.statusLog,
  } satisfies OperationDetail);
}

/** The rollup (and the rollup as of a time) is served by rollup-routes.ts. */
export { getRollup } from './rollup-routes.ts';

/**
 * A country's figures: those of its latest accepted return, with their breakdowns (the default) or
 * without (`?figures=summary`: no stored report is read), or `reported: false`.
 */
export async function getCountry(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const country = req.params.cc ?? '';
  allow(req, { kind: 'read-country', country });
  const detail = figuresDetail(req);
  const record = await operationOr404(req, deps);
  const participant = record.definition.participants.find((p) => p.code === country);
  if (!participant) {
    throw new HttpError(
      'unknown-country',
      msg('error.unknown-country', { country, name: record.definition.name }),
    );
  }
  const state = await deps.repo.getCountry(record.definition.id, country);
  if (!state)
    return json(200, {
      country,
      name: participant.name,
      region: participant.region,
      reported: false,
    } satisfies CountryView);
  const base = {
    country,
    name: participant.name,
    region: participant.region,
    reported: true,
    submissionId: state.submissionId,
    receivedAt: state.receivedAt,
    acceptedAt: state.acceptedAt,
    firstAcceptedAt: state.firstAcceptedAt,
    ...figuresSummary(state.figures),
  } as const;
  if (detail === 'summary')
    return figuresAnswer(deps, detail, { ...base, figuresDetail: 'summary' } satisfies CountryView, {
      what: 'country',
      name: country,
    });
  const stored = await deps.objects.getJson<StoredReport>(
    reportKey(record.definition.id, country, state.submissionId),
  );
  return figuresAnswer(
    deps,
    detail,
    {
      ...base,
      figuresDetail: 'full',
      byBreakdown: state.figures.byBreakdown,
      byDayBreakdown: stored?.figures?.byDayBreakdown ?? {},
    } satisfies CountryView,
    { what: 'country', name: country },
  );
}

export async function listSubmissions(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const who = req.principal;
  const requested = req.query.country?.toUpperCase() ?? (who?.role === 'agency' ? who.country : null);
  allow(req, { kind: 'list-submissions', country: requested });
  const record = await operationOr404(req, deps);
  const limit = pageLimit(req);
  const page = await deps.repo.listSubmissions(record.definition.id, requested, {
    limit,
    cursor: req.query.cursor,
  });
  const current = await currentOf(deps, record.definition.id, page.submissions);
  const now = nowOf(deps);
  return json(200, {
    submissions: page.submissions.map((s) => submissionView(s, current(s.country), now)),
    cursor: page.cursor,
  } satisfies SubmissionPage);
}

export async function getSubmission(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const id = req.params.id ?? '';
  const record = await operationOr404(req, deps);
  const sub = await deps.repo.getSubmission(record.definition.id, id);
  // Authorize on the submission's country; an agency learns nothing about other countries' ids.
  const country = sub?.country ?? id.slice(0, 2);
  allow(req, { kind: 'read-submission', country });
  if (!sub)
    throw new HttpError(
      'unknown-submission',
      msg('error.unknown-submission', { id, op: record.definition.id }),
    );
  const current = await deps.repo.getCountry(record.definition.id, sub.country);
  const stored = sub.reportKey ? await deps.objects.getJson<StoredReport>(sub.reportKey) : null;
  const submission = submissionView(sub, current, nowOf(deps));
  if (req.query.format === 'text') {
    const text = stored
      ? reportText(
          stored.report,
          {
            fileName: sub.key.split('/').at(-1),
            submissionId: sub.id,
            status: submission.status,
            sha256: sub.sha256,
            size: sub.size,
            operation: record.definition,
          },
          req.locale,
        )
      : `${sub.id}: ${submission.status}${submission.failure ? ` — ${submission.failure}` : ''}\n`;
    return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text };
  }
  const report = stored ? localizedReport(stored.report, req.locale, record.definition) : null;
  if (req.query.figures !== 'summary') return json(200, { submission, report } satisfies SubmissionDetail);
  const figures = stored?.figures ? figuresSummary(stored.figures) : null;
  return json(200, { submission, report, figures } satisfies SubmissionDetail);
}
