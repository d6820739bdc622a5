/**
 * What the country drill-down reads from the API, through the one API client
 * (shared/api/client.ts), answers typed by the contract: the country's figures, its submissions
 * (every page) and the figures each accepted submission gave.
 */
import { ApiError } from '../../shared/api/client.ts';
import type { CountryView, FiguresSummary, SubmissionView } from '../../shared/api/responses.ts';
import { API } from '../../shared/api/routes.ts';
import { type Fetch, pageClient } from './api-client.ts';

/** Submissions asked for per request (the API's largest page). */
const PAGE = 1000;

/** The drill-down's reads (see `createCountryApi`). */
export type CountryApi = {
  /**
   * The country's figures with their breakdowns; the summary (no breakdowns) when the full answer
   * would be too large for the API. Rejects with `ApiError` (403 another agency's country, 404 not
   * a participant).
   */
  country(op: string, cc: string): Promise<CountryView>;
  /** Every submission of the country, in the order they arrived (all pages). */
  submissions(op: string, cc: string): Promise<SubmissionView[]>;
  /** The totals and per-day figures a submission gave (null: none, it was not accepted). */
  figures(op: string, id: string): Promise<FiguresSummary | null>;
};

/** Builds the drill-down's reads; every request carries the token. */
export function createCountryApi(options: { baseUrl: string; token: string; fetch?: Fetch }): CountryApi {
  const client = pageClient(options);
  return {
    country: async (op, cc) => {
      try {
        return await client.call(API.getCountry, { params: { op, cc } });
      } catch (e) {
        if (!(e instanceof ApiError) || e.code !== 'figures-too-large') throw e;
        return client.call(API.getCountry, { params: { op, cc }, query: { figures: 'summary' } });
      }
    },
    submissions: async (op, cc) => {
      const all: SubmissionView[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.call(API.listSubmissions, {
          params: { op },
          query: { country: cc, limit: String(PAGE), cursor },
        });
        all.push(...page.submissions);
        cursor = page.cursor ?? undefined;
      } while (cursor);
      return all;
    },
    figures: async (op, id) =>
      (await client.call(API.getSubmission, { params: { op, id }, query: { figures: 'summary' } })).figures ??
      null,
  };
}
