import { randomBytes } from 'node:crypto';
import { API } from '../../shared/api/contract.ts';
import { figuresSummary } from '../../shared/api/figures-detail.ts';
import type { DryRunResult, UploadSlot, UploadStatus } from '../../shared/api/responses.ts';
import { createUploadSlot, type SlotState, slotStateOf } from '../../shared/app/create-slot.ts';
import { dryRun } from '../../shared/app/dry-run.ts';
import type { UploadSlot as UploadSlotRecord } from '../../shared/domain/ledger.ts';
import { reportText } from '../../shared/domain/report-text.ts';
import { csvTemplate, xlsxTemplate } from '../../shared/domain/templates.ts';
import { safeFileName } from '../../shared/domain/uploads.ts';
import { figuresAnswer, figuresDetail } from './figures-answer.ts';
import { type ApiRequest, type ApiResponse, HttpError, json, msg } from './http.ts';
import {
  type ApiDeps,
  allow,
  bodyOf,
  localizedReport,
  nowOf,
  operationOr404,
  submissionView,
} from './route-kit.ts';

/** The country an agency acts for, or the one an admin names (`country` in the body or query). */
function actingCountry(req: ApiRequest, named: unknown): string {
  const who = req.principal;
  if (who?.role === 'agency' && who.country) {
    if (named !== undefined && named !== null && String(named).toUpperCase() !== who.country) {
      throw new HttpError(
        'forbidden',
        msg('error.forbidden.act-for', { country: who.country, named: String(named) }),
      );
    }
    return who.country;
  }
  if (typeof named !== 'string' || !/^[A-Za-z]{2}$/.test(named)) {
    throw new HttpError('country-required', msg('error.country-required'));
  }
  return named.toUpperCase();
}

/**
 * POST /operations/{op}/uploads: an upload slot (see `createUploadSlot`) for the caller's country
 * (an agency) or the one named (an admin).
 */
export async function createUpload(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const body = bodyOf(req, API.createUpload.body);
  const country = actingCountry(req, body.country ?? req.query.country);
  allow(req, { kind: 'upload', country });
  const record = await operationOr404(req, deps);
  const created = await createUploadSlot(
    deps,
    record,
    {
      country,
      fileName: body.fileName ?? body.filename ?? 'return.csv',
      dryRun: body.dryRun === true,
      by: req.principal?.subject ?? 'unknown',
    },
    { now: nowOf(deps), randomHex: deps.randomHex ?? randomHexBytes },
  );
  if (!created.ok) throw HttpError.refused(created.error);
  const slot = created.value;
  return json(201, {
    uploadId: slot.uploadId,
    country,
    key: slot.key,
    sequence: slot.seq,
    dryRun: slot.dryRun,
    maxBytes: slot.maxBytes,
    expiresAt: slot.expiresAt,
    operationStatus: record.status,
    upload: { method: 'POST', url: slot.post.url, fields: slot.post.fields },
    receipt: `/operations/${record.definition.id}/uploads/${slot.uploadId}`,
  } satisfies UploadSlot);
}

/** A slot and, once its file has landed, the receipt (upload id, SHA-256, size, received time) and verdict. */
export async function getUpload(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const record = await operationOr404(req, deps);
  const uploadId = req.params.uploadId ?? '';
  const slot = await deps.repo.getSlot(record.definition.id, uploadId);
  allow(req, { kind: 'read-submission', country: slot?.country ?? req.principal?.country ?? '' });
  if (!slot)
    throw new HttpError(
      'unknown-upload',
      msg('error.unknown-upload', { id: uploadId, op: record.definition.id }),
    );
  const [subs, current] = await Promise.all([
    deps.repo.submissionsOfSlot(record.definition.id, slot.country, uploadId),
    deps.repo.getCountry(record.definition.id, slot.country),
  ]);
  // A slot takes one file: the first S3 received. A later one (a replayed POST) is rejected with
  // slot-already-used and listed under `submissions`, never shown as the receipt.
  const latest =
    [...subs].sort(
      (a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt) || a.id.localeCompare(b.id),
    )[0] ?? null;
  const now = nowOf(deps);
  // No announced file yet: once the slot could be abandoned, ask storage itself, since the event
  // announcing a file may come late.
  const stored =
    latest !== null ||
    (slotStateOf(slot, false, now) === 'abandoned' &&
      (await deps.objects.list(slot.key)).some((o) => o.key === slot.key));
  const state = slotStateOf(slot, stored, now);
  return json(200, {
    upload: slot,
    state,
    stateReason: stateReason(slot, state),
    receipt: latest
      ? {
          uploadId,
          submissionId: latest.id,
          sha256: latest.sha256,
          size: latest.size,
          receivedAt: latest.receivedAt,
        }
      : null,
    submission: latest ? submissionView(latest, current, now) : null,
    submissions: subs.map((s) => submissionView(s, current, now)),
  } satisfies UploadStatus);
}

function stateReason(slot: UploadSlotRecord, state: SlotState): string {
  switch (state) {
    case 'waiting':
      return `No file has arrived yet; the slot takes one until ${slot.expiresAt}.`;
    case 'received':
      return 'Storage holds the file: see the receipt and the verdict.';
    case 'abandoned':
      return `No file arrived before the slot expired at ${slot.expiresAt}: nothing was stored and nothing counts. Ask for a new slot to send the file.`;
    default: {
      const never: never = state;
      throw new Error(`unknown slot state ${String(never)}`);
    }
  }
}

/**
 * A dry run: the same parser and checks as the ingest, on a file in the body (or one uploaded to
 * a slot, `?uploadId=`), answering the full report and the figures the file would produce (with
 * their breakdowns, or `?figures=summary` without). It counts nothing and changes no figure.
 */
export async function validate(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const detail = figuresDetail(req);
  const record = await operationOr404(req, deps);
  const op = record.definition;
  let source: AsyncIterable<Uint8Array>;
  let fileName: string;
  let country: string;
  if (req.query.uploadId) {
    const slot = await deps.repo.getSlot(op.id, req.query.uploadId);
    if (!slot)
      throw new HttpError(
        'unknown-upload',
        msg('error.unknown-upload', { id: req.query.uploadId, op: op.id }),
      );
    country = slot.country;
    allow(req, { kind: 'upload', country });
    fileName = slot.fileName;
    try {
      source = (await deps.objects.open(slot.key)).body;
    } catch (e) {
      throw new HttpError('not-uploaded', msg('error.not-uploaded', { id: slot.uploadId }), {
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
  const result = await dryRun(deps.repo, op, { country, fileName, format: req.query.format, source });
  if (!result.ok) throw HttpError.refused(result.error);
  const checked = result.value;
  if (req.query.output === 'text') {
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: reportText(checked.report, { fileName, operation: op }, req.locale),
    };
  }
  const base = {
    dryRun: true,
    country,
    fileName,
    report: localizedReport(checked.report, req.locale, op),
  } as const;
  return figuresAnswer(
    deps,
    detail,
    (detail === 'summary'
      ? {
          ...base,
          figuresDetail: 'summary',
          figures: checked.figures && figuresSummary(checked.figures),
        }
      : { ...base, figuresDetail: 'full', figures: checked.figures }) satisfies DryRunResult,
    { what: 'dry-run', name: fileName },
  );
}

/** GET /operations/{op}/template.csv — the header line agencies start from. */
export async function csvTemplateRoute(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  allow(req, { kind: 'read-operation' });
  const op = (await operationOr404(req, deps)).definition;
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${op.id}-template.csv"`,
    },
    body: csvTemplate(op),
  };
}

/** GET /operations/{op}/template.xlsx — the workbook with drop-downs, date and value checks, and a guide. */
export async function xlsxTemplateRoute(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  allow(req, { kind: 'read-operation' });
  const op = (await operationOr404(req, deps)).definition;
  return {
    statusCode: 200,
    headers: {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-disposition': `attachment; filename="${op.id}-template.xlsx"`,
    },
    body: (await xlsxTemplate(op, req.locale)).toString('base64'),
    isBase64Encoded: true,
  };
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
