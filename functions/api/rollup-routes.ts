import type { RollupHistoryPage } from '../../shared/api/responses.ts';
import {
  type RollupAnswer,
  readRollup,
  readRollupAsOf,
  readRollupHistory,
} from '../../shared/app/read-rollup.ts';
import { type ApiRequest, type ApiResponse, HttpError, json, msg } from './http.ts';
import { type ApiDeps, allow, pageLimit, unknownOperation } from './route-kit.ts';

/**
 * The rollup, or with `?asOf=<ISO time>` the rollup as it stood then (the version current at that
 * time, with the operation's status then). The ETag names the version and status: an unchanged
 * rollup answers 304 after one small read, and a client never downloads a version twice.
 */
export async function getRollup(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  allow(req, { kind: 'read-rollup' });
  const op = req.params.op ?? '';
  const ifNoneMatch = req.headers['if-none-match'] ?? null;
  if (req.query.asOf === undefined) {
    const answer = await readRollup(deps, op, ifNoneMatch);
    if (!answer) throw unknownOperation(op);
    return respond(answer);
  }
  const at = new Date(req.query.asOf);
  if (Number.isNaN(at.getTime())) {
    throw new HttpError('bad-request', msg('error.bad-request.as-of', { asOf: req.query.asOf ?? '' }));
  }
  const answer = await readRollupAsOf(deps, op, at, ifNoneMatch);
  if (answer === 'unknown-operation') throw unknownOperation(op);
  if (answer === 'none-yet') {
    throw new HttpError('not-found', msg('error.not-found.rollup-as-of', { op, at: at.toISOString() }));
  }
  return respond(answer);
}

/**
 * The rollup's timeline, oldest first: each version with when it became current and its totals
 * (`limit`, `cursor` as in the ledger). Any entry's time can be passed back as `asOf`.
 */
export async function getRollupHistory(req: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  allow(req, { kind: 'read-rollup' });
  const op = req.params.op ?? '';
  const page = await readRollupHistory(deps, op, { limit: pageLimit(req), cursor: req.query.cursor });
  if (!page) throw unknownOperation(op);
  return json(200, { versions: page.entries, cursor: page.cursor } satisfies RollupHistoryPage, {
    'cache-control': 'no-cache',
  });
}

function respond(answer: RollupAnswer): ApiResponse {
  const headers = { etag: answer.etag, 'cache-control': 'no-cache' };
  if (answer.kind === 'not-modified') return { statusCode: 304, headers, body: '' };
  return json(200, answer.body, headers);
}
