import { listSlots } from '../../shared/adapters/dynamo/slot-queries.ts';
import { API } from '../../shared/api/contract.ts';
import type { AbandonedUpload, LedgerPage, StatusChangeResult } from '../../shared/api/responses.ts';
import { changeStatus } from '../../shared/app/change-status.ts';
import { slotStateOf } from '../../shared/app/create-slot.ts';
import { finalFigures } from '../../shared/app/final-figures.ts';
import { FINAL_FORMATS, finalFile, isFinalFormat } from '../../shared/domain/final-files.ts';
import { finalSignatureKey } from '../../shared/domain/object-keys.ts';
import type { ManifestSignature } from '../../shared/domain/signature.ts';
import { type ApiRequest, type ApiResponse, HttpError, json, msg } from './http.ts';
import {
  type ApiDeps,
  allow,
  answerFile,
  bodyOf,
  currentOf,
  nowOf,
  operationOr404,
  pageLimit,
  submissionView,
} from './route-kit.ts';

/**
 * POST /operations/{op}/status `{ "status": …, "reason": … }` (admins): moves the lifecycle
 * `draft → open → closed → final`; reopening needs a reason and is logged. Finalising freezes the
 * manifest: the final export serves that copy, and uploads are refused from then on.
 */
export async function setStatus(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  allow(req, { kind: 'manage-operation' });
  const record = await operationOr404(req, deps);
  const body = bodyOf(req, API.setStatus.body);
  if (!deps.signer) {
    throw new HttpError('signing-unavailable', msg('error.signing-unavailable.status'));
  }
  const changed = await changeStatus({ ...deps, signer: deps.signer }, record, body.status, {
    reason: body.reason ?? '',
    by: req.principal?.subject ?? 'unknown',
  });
  if (!changed.ok) throw HttpError.refused(changed.error);
  const { record: updated, reopening, manifestSha256 } = changed.value;
  return json(200, {
    operation: updated.definition.id,
    status: updated.status,
    reopening,
    statusLog: updated.statusLog,
    ...(manifestSha256 ? { manifestSha256 } : {}),
  } satisfies StatusChangeResult);
}

/**
 * GET /operations/{op}/ledger (auditors, admins): every submission ever received — accepted,
 * rejected, superseded, failed, processing — paginated (`limit`, `cursor`) and filterable by
 * `country` and `verdict` (a status). A filtered page may hold fewer than `limit` entries; follow
 * `cursor` until it is null.
 */
export async function ledger(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  allow(req, { kind: 'read-ledger' });
  const record = await operationOr404(req, deps);
  const country = req.query.country?.toUpperCase() ?? null;
  const verdict = req.query.verdict ?? null;
  const limit = pageLimit(req);
  if (verdict === 'abandoned') return abandonedUploads(deps, record.definition.id, country, limit, req);
  const page = await deps.repo.listSubmissions(record.definition.id, country, {
    limit,
    cursor: req.query.cursor,
  });
  const current = await currentOf(deps, record.definition.id, page.submissions);
  const now = nowOf(deps);
  const entries = page.submissions
    .map((s) => {
      const counting = current(s.country);
      return {
        ...submissionView(s, counting, now),
        supersededBy:
          s.status === 'accepted' && counting && counting.submissionId !== s.id
            ? counting.submissionId
            : null,
      };
    })
    .filter((s) => verdict === null || s.status === verdict);
  return json(200, { operation: record.definition.id, entries, cursor: page.cursor } satisfies LedgerPage);
}

/**
 * GET /operations/{op}/final?format=json|csv|sdmx-csv: the final figures with provenance and the
 * manifest digest. Once final, the manifest frozen at finalisation is served (nothing changes);
 * while closed, auditors and admins get the current figures. Not before the operation is closed.
 * A file too large for a Lambda response is answered `303` with a short-lived presigned link to
 * its copy in S3 (`exports/{op}/{digest}.{ext}`), the digest still in `x-manifest-sha256`.
 */
export async function finalExport(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const record = await operationOr404(req, deps);
  allow(req, { kind: 'read-final', status: record.status });
  const format = req.query.format ?? 'json';
  const figures = await finalFigures(deps, record);
  if (!figures.ok) throw HttpError.refused(figures.error);
  if (!isFinalFormat(format)) {
    throw new HttpError('bad-format', msg('error.bad-format', { formats: FINAL_FORMATS.join(', '), format }));
  }
  const op = record.definition.id;
  const signature =
    record.status === 'final' ? await deps.objects.getJson<ManifestSignature>(finalSignatureKey(op)) : null;
  // Large files go through S3 and a redirect: a Lambda response is capped at 6 MB.
  const res = await answerFile(
    deps,
    finalFile(figures.value, record.definition.window, record.status, format, signature),
  );
  if (!signature) return res;
  // Every format carries the signature in its headers and links the signature document.
  return {
    ...res,
    headers: {
      ...res.headers,
      'x-manifest-signature': signature.signature,
      'x-signature-key-id': signature.keyId,
      link: `</operations/${op}/final/signature>; rel="signature", </operations/${op}/final/public-key>; rel="public-key"`,
    },
  };
}

/**
 * A page of the ledger's `abandoned` uploads: slots (not dry-run ones) past their abandonment time
 * with no submission and no stored file. Each candidate costs a query and a listing: auditors ask
 * for this page rarely, and the abandonment time bounds it to slots that can no longer change.
 */
async function abandonedUploads(
  deps: ApiDeps,
  op: string,
  country: string | null,
  limit: number,
  req: ApiRequest,
): Promise<ApiResponse> {
  const now = nowOf(deps);
  const page = await listSlots(deps.repo, op, country, { limit, cursor: req.query.cursor });
  const candidates = page.slots.filter((s) => !s.dryRun && slotStateOf(s, false, now) === 'abandoned');
  const unused = await Promise.all(
    candidates.map(async (slot) => {
      const [subs, objects] = await Promise.all([
        deps.repo.submissionsOfSlot(op, slot.country, slot.uploadId),
        deps.objects.list(slot.key),
      ]);
      return subs.length === 0 && !objects.some((o) => o.key === slot.key);
    }),
  );
  const abandoned = candidates
    .filter((_slot, i) => unused[i])
    .map(
      (slot): AbandonedUpload => ({
        uploadId: slot.uploadId,
        country: slot.country,
        key: slot.key,
        fileName: slot.fileName,
        createdAt: slot.createdAt,
        expiresAt: slot.expiresAt,
        createdBy: slot.createdBy,
        status: 'abandoned',
        reason: `No file arrived before the slot expired at ${slot.expiresAt}: nothing was stored and nothing counts.`,
      }),
    );
  return json(200, { operation: op, entries: [], abandoned, cursor: page.cursor } satisfies LedgerPage);
}
