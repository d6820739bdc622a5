import {
  type FiguresDetail,
  FULL_FIGURES_ANSWER_LIMIT_BYTES,
  figuresDetailOf,
} from '../../shared/api/figures-detail.ts';
import { responseBodyBytes } from '../../shared/domain/final-files.ts';
import { type ApiRequest, type ApiResponse, HttpError, json, msg } from './http.ts';
import type { ApiDeps } from './route-kit.ts';

/** The figures detail the request asks for (`?figures=`), or a 400 naming the two there are. */
export function figuresDetail(req: ApiRequest): FiguresDetail {
  const detail = figuresDetailOf(req.query.figures);
  if (detail === null)
    throw new HttpError(
      'bad-request',
      msg('error.bad-request.figures', { figures: req.query.figures ?? '' }),
    );
  return detail;
}

/** What a figures answer is about, as `figures-too-large` names it: a country's figures, or a dry run's. */
export type FiguresAbout = { what: 'country' | 'dry-run'; name: string };

/**
 * A 200 answer with figures, when it fits a Lambda response. A full answer that would not (over
 * `deps.figuresAnswerLimit`) is refused with `figures-too-large`, saying to ask for the summary,
 * rather than failing at the gateway with a 5xx after the work is done.
 */
export function figuresAnswer(
  deps: Pick<ApiDeps, 'figuresAnswerLimit'>,
  detail: FiguresDetail,
  body: unknown,
  about: FiguresAbout,
): ApiResponse {
  const text = JSON.stringify(body);
  if (detail === 'full') {
    const bytes = responseBodyBytes(text);
    const limit = deps.figuresAnswerLimit ?? FULL_FIGURES_ANSWER_LIMIT_BYTES;
    if (bytes > limit)
      throw new HttpError(
        'figures-too-large',
        msg('error.figures-too-large', { ...about, size: megabytes(bytes), limit: megabytes(limit) }),
      );
  }
  return json(200, text);
}

/** Megabytes to one decimal, a number the catalogue formats in the reader's language. */
function megabytes(bytes: number): number {
  return Math.round((bytes / (1024 * 1024)) * 10) / 10;
}
