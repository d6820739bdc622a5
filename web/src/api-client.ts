import { ApiError, createClient, searchOf } from '../../shared/api/client.ts';
import type { LedgerQuery } from '../../shared/api/contract.ts';
import { API } from '../../shared/api/routes.ts';
import { DIGEST_HEADER, STORED_DIGEST_HEADER } from '../../shared/domain/export-delivery.ts';
import type {
  FinalExport,
  FinalFormat,
  LedgerPage,
  LocalTokens,
  OperationDetail,
  OperationSummary,
  PublicKey,
  RollupView,
  Submission,
  SubmissionReport,
} from './api-types.ts';
import type { Conditional } from './versioned-feed.ts';

/** The API answered with an error status (or not at all: `status` 0): the one client's error. */
export { ApiError };

/** The `fetch` the client uses (the browser's; tests pass their own). */
export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * The API base URL: the `?api=` query parameter when given (for a dashboard served apart from its
 * API), else the page's own origin. Never ends with a slash.
 */
export function apiBaseUrl(pageUrl: string): string {
  const page = new URL(pageUrl);
  const override = page.searchParams.get('api');
  const base = override ? new URL(override, page).toString() : page.origin;
  return base.replace(/\/+$/, '');
}

/** The query string of a ledger request (`?verdict=rejected&limit=50&cursor=…`), empty parts left out. */
export function ledgerSearch(query: LedgerQuery): string {
  return searchOf({
    country: query.country,
    verdict: query.verdict,
    limit: query.limit,
    cursor: query.cursor,
  });
}

/** What each export format is asked for with. */
const FORMAT_ACCEPT: Record<FinalFormat, string> = {
  json: 'application/json',
  csv: 'text/csv',
  'sdmx-csv': 'application/vnd.sdmx.data+csv',
};

/** A downloaded export: its bytes and the manifest digest the API put in `x-manifest-sha256`. */
export type Download = { blob: Blob; digest: string | null };

/**
 * The page's one way to reach the API (the one client, shared/api/client.ts): the bearer token on
 * every request when there is one, and no HTTP cache — the same address answers new figures.
 */
export function pageClient(options: { baseUrl: string; token?: string | null; fetch?: Fetch }) {
  const doFetch: Fetch = options.fetch ?? ((input, init) => fetch(input, init));
  return createClient<Response>({
    baseUrl: options.baseUrl,
    token: options.token ?? null,
    fetch: (url, init) => doFetch(url, init),
    cache: 'no-store',
  });
}

/** A typed client for the endpoints the dashboard reads. */
export type Api = ReturnType<typeof createApi>;

/** Builds a client (on the one API client, shared/api/client.ts). With a token, every request carries `Authorization: Bearer <token>`. */
export function createApi(options: { baseUrl: string; token?: string | null; fetch?: Fetch }) {
  const client = pageClient(options);
  const op = (id: string) => ({ op: id });
  const conditional = async <T>(response: Promise<Response>): Promise<Conditional<T>> => {
    const answer = await response;
    if (answer.status === 304) return { status: 'not-modified' };
    return { status: 'ok', etag: answer.headers.get('ETag'), body: (await answer.json()) as T };
  };

  return {
    listOperations: async (): Promise<OperationSummary[]> =>
      (await client.call(API.listOperations, {})).operations,
    getOperation: (id: string): Promise<OperationDetail> => client.call(API.getOperation, { params: op(id) }),
    getRollup: (id: string, etag: string | null): Promise<Conditional<RollupView>> =>
      conditional(client.send(API.getRollup, { params: op(id), etag })),
    listSubmissions: (id: string, country: string, etag: string | null): Promise<Conditional<Submission[]>> =>
      conditional<{ submissions: Submission[] }>(
        client.send(API.listSubmissions, { params: op(id), query: { country }, etag }),
      ).then((r) => (r.status === 'ok' ? { ...r, body: r.body.submissions } : r)),
    getSubmission: (
      id: string,
      submission: string,
    ): Promise<{ submission: Submission; report: SubmissionReport | null }> =>
      client.call(API.getSubmission, { params: { op: id, id: submission } }),
    /** The public key final manifests are signed with, or null when none is published. */
    getPublicKey: async (id: string): Promise<PublicKey | null> => {
      try {
        return await client.call(API.publicKey, { params: op(id) });
      } catch (e) {
        if (e instanceof ApiError && e.status !== 0 && e.status < 500) return null;
        throw e;
      }
    },
    /**
     * The final figures (manifest and digest), or null when there are none to read: 409 while the
     * operation is draft or open, 403 when this role may not yet (coordinators before final), 404.
     */
    getFinal: async (id: string): Promise<FinalExport | null> => {
      try {
        return await client.call(API.finalExport, { params: op(id), query: { format: 'json' } });
      } catch (e) {
        if (e instanceof ApiError && e.status !== 0 && e.status !== 401 && e.status < 500) return null;
        throw e;
      }
    },
    /**
     * One export of the final figures as a file, with its digest. A large export is answered with a
     * redirect to storage, which `fetch` follows (dropping the token, as it does across origins);
     * the digest is then the stored file's metadata, since the API's header stays on the redirect.
     */
    downloadFinal: async (id: string, format: FinalFormat): Promise<Download> => {
      const response = await client.send(API.finalExport, {
        params: op(id),
        query: { format },
        accept: FORMAT_ACCEPT[format],
      });
      const digest = response.headers.get(DIGEST_HEADER) ?? response.headers.get(STORED_DIGEST_HEADER);
      return { blob: await response.blob(), digest };
    },
    /** One page of the submission ledger (auditors, admins; 403 for anyone else). */
    getLedger: (id: string, query: LedgerQuery = {}): Promise<LedgerPage> =>
      client.call(API.ledger, {
        params: op(id),
        query: { country: query.country, verdict: query.verdict, limit: query.limit, cursor: query.cursor },
      }),
    /** The local stack's ready-made tokens; null when deployed (no such endpoint). */
    localTokens: async (): Promise<LocalTokens | null> => {
      try {
        const response = await client.request('GET', '/local/tokens', { auth: false });
        const body = (await response.json()) as Partial<LocalTokens>;
        return typeof body.coordinator === 'string' ? (body as LocalTokens) : null;
      } catch (e) {
        if (e instanceof ApiError) return null;
        throw e;
      }
    },
  };
}
