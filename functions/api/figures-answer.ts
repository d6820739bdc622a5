import {
  type FiguresDetail,
  FULL_FIGURES_ANSWER_LIMIT_BYTES,
  figuresDetailOf,
} from '../../shared/api/figures-detail.ts';
import { responseBodyBytes } from '../../shared/domain/final-files.ts';
import { type ApiRequest, type ApiResponse, HttpError, json } from './http.ts';
import type { ApiDeps } from './route-kit.ts';

/** The figures detail the request asks for (`?figures=`), or a 400 naming the two there are. */
export function figuresDetail(req: ApiRequest): FiguresDetail {
  const detail = figuresDetailOf(req.query.figures);
  if (detail === null)
    throw new HttpError(
      'bad-request',
      `figures=${req.query.figures} is not a figures detail: ask for figures=summary (totals and per-day figures) or figures=full (with breakdowns, the default).`,
    );
  return detail;
}

/**
 * A 200 answer with figures, when it fits a Lambda response. A full answer that would not (over
 * `deps.figuresAnswerLimit`) is refused with `figures-too-large`, saying to ask for the summary,
 * rather than failing at the gateway with a 5xx after the work is done.
 */
export function figuresAnswer(
  deps: Pick<ApiDeps, 'figuresAnswerLimit'>,
  detail: FiguresDetail,
  body: unknown,
  what: string,
): ApiResponse {
  const text = JSON.stringify(body);
  if (detail === 'full') {
    const bytes = responseBodyBytes(text);
    const limit = deps.figuresAnswerLimit ?? FULL_FIGURES_ANSWER_LIMIT_BYTES;
    if (bytes > limit)
      throw new HttpError(
        'figures-too-large',
        `${what} with every breakdown is ${megabytes(bytes)}, more than an answer can carry (${megabytes(limit)}): ask for ?figures=summary (totals and per-day figures).`,
      );
  }
  return json(200, text);
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
