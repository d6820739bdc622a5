import { type RollupAnswer, readRollup, readRollupAsOf } from '../../shared/app/read-rollup.ts';
import {
  isProvisionalFormat,
  PROVISIONAL_FORMATS,
  type ProvisionalFormat,
  provisionalCsv,
  provisionalFileName,
  provisionalXlsx,
} from '../../shared/domain/provisional-export.ts';
import type { RollupView } from '../../shared/domain/rollup.ts';
import { type ApiRequest, type ApiResponse, HttpError, msg } from './http.ts';
import { type ApiDeps, allow, nowOf, unknownOperation } from './route-kit.ts';

const CONTENT_TYPES: Record<ProvisionalFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * GET /operations/{op}/rollup/export?format=csv|xlsx[&asOf=…] (coordinators, auditors, admins):
 * the live rollup — or the one current at `asOf` — as a provisional file, stamped with its figures
 * version and time, the stamp's sentences in the request's language. Not the final export.
 */
export async function rollupExport(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  allow(req, { kind: 'read-rollup' });
  const op = req.params.op ?? '';
  const format = req.query.format ?? '';
  if (!isProvisionalFormat(format)) {
    throw new HttpError(
      'bad-format',
      msg('error.bad-format', { formats: PROVISIONAL_FORMATS.join(', '), format }),
    );
  }
  const { rollup, asOf } = await rollupOf(req, deps, op);
  const moment = { exportedAt: nowOf(deps).toISOString(), asOf };
  const headers = {
    'content-type': CONTENT_TYPES[format],
    'content-disposition': `attachment; filename="${provisionalFileName(rollup, format)}"`,
    // A working copy of figures that change: never served from a cache.
    'cache-control': 'no-store',
  };
  if (format === 'csv') return { statusCode: 200, headers, body: provisionalCsv(rollup, moment, req.locale) };
  return {
    statusCode: 200,
    headers,
    body: (await provisionalXlsx(rollup, moment, req.locale)).toString('base64'),
    isBase64Encoded: true,
  };
}

/** The rollup to export: the current one, or the one current at `asOf` (404 before the first). */
async function rollupOf(
  req: ApiRequest,
  deps: ApiDeps,
  op: string,
): Promise<{ rollup: RollupView; asOf: string | null }> {
  if (req.query.asOf === undefined) {
    const answer = await readRollup(deps, op);
    if (!answer) throw unknownOperation(op);
    return { rollup: bodyOf(answer), asOf: null };
  }
  const at = new Date(req.query.asOf);
  if (Number.isNaN(at.getTime())) {
    throw new HttpError('bad-request', msg('error.bad-request.as-of', { asOf: req.query.asOf }));
  }
  const answer = await readRollupAsOf(deps, op, at);
  if (answer === 'unknown-operation') throw unknownOperation(op);
  if (answer === 'none-yet') {
    throw new HttpError('not-found', msg('error.not-found.rollup-as-of', { op, at: at.toISOString() }));
  }
  return { rollup: bodyOf(answer), asOf: at.toISOString() };
}

function bodyOf(answer: RollupAnswer): RollupView {
  // No If-None-Match was sent: the answer is always the rollup itself.
  if (answer.kind !== 'rollup') throw new Error('a rollup read without If-None-Match answered not-modified');
  return JSON.parse(answer.body) as RollupView;
}
