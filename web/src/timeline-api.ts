/**
 * What the timeline reads from the API: the rollup's history, a page at a time, and the rollup
 * "as of" a moment. Through the one API client (shared/api/client.ts), answers typed by the
 * contract's responses.
 */
import { searchOf } from '../../shared/api/client.ts';
import type { RollupHistoryPage, RollupView } from '../../shared/api/responses.ts';
import { type Fetch, pageClient } from './api-client.ts';

/** History entries asked for per request (the API's largest page). */
export const HISTORY_PAGE = 1000;

/** The timeline's reads (see `createTimelineApi`). */
export type TimelineApi = {
  /** One page of the history, oldest first; `cursor` from the previous page, null for the first. */
  historyPage(op: string, cursor: string | null): Promise<RollupHistoryPage>;
  /** The rollup as it stood at `at` (an ISO time); rejects with `ApiError` 404 before the first version. */
  rollupAsOf(op: string, at: string): Promise<RollupView>;
};

/** Builds the timeline's reads; with a token, every request carries it. */
export function createTimelineApi(options: { baseUrl: string; token: string; fetch?: Fetch }): TimelineApi {
  const client = pageClient(options);
  const rollupPath = (op: string) => `/operations/${encodeURIComponent(op)}/rollup`;
  return {
    historyPage: async (op, cursor) =>
      (await (
        await client.request('GET', `${rollupPath(op)}/history${searchOf({ limit: HISTORY_PAGE, cursor })}`)
      ).json()) as RollupHistoryPage,
    rollupAsOf: async (op, at) =>
      (await (
        await client.request('GET', `${rollupPath(op)}${searchOf({ asOf: at })}`)
      ).json()) as RollupView,
  };
}
