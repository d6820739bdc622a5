import { DIGEST_HEADER, STORED_DIGEST_HEADER } from '../../shared/domain/export-delivery.ts';
import type {
  FinalExport,
  FinalFormat,
  LedgerPage,
  LedgerQuery,
  LocalTokens,
  OperationDetail,
  OperationSummary,
  PublicKey,
  RollupView,
  Submission,
  SubmissionReport,
} from './api-types.ts';
import type { Conditional } from './versioned-feed.ts';

/** The API answered with an error status (or not at all: `status` 0). */
export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApiError';
    this.status = status;
  }
}

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
  const params = new URLSearchParams();
  if (query.country) params.set('country', query.country);
  if (query.verdict) params.set('verdict', query.verdict);
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.cursor) params.set('cursor', query.cursor);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** What each export format is asked for with. */
const FORMAT_ACCEPT: Record<FinalFormat, string> = {
  json: 'application/json',
  csv: 'text/csv',
  'sdmx-csv': 'application/vnd.sdmx.data+csv',
};

/** A downloaded export: its bytes and the manifest digest the API put in `x-manifest-sha256`. */
export type Download = { blob: Blob; digest: string | null };

/** A typed client for the endpoints the dashboard reads. */
export type Api = ReturnType<typeof createApi>;

/** Builds a client. With a token, every request carries `Authorization: Bearer <token>`. */
export function createApi(options: { baseUrl: string; token?: string | null; fetch?: Fetch }) {
  const doFetch: Fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const op = (id: string) => `/operations/${encodeURIComponent(id)}`;

  const request = async (
    path: string,
    init: { etag?: string | null; auth?: boolean; accept?: string } = {},
  ): Promise<Response> => {
    const headers: Record<string, string> = { Accept: init.accept ?? 'application/json' };
    if (init.auth !== false && options.token) headers.Authorization = `Bearer ${options.token}`;
    if (init.etag) headers['If-None-Match'] = init.etag;
    let response: Response;
    try {
      response = await doFetch(`${options.baseUrl}${path}`, { headers, cache: 'no-store' });
    } catch (cause) {
      throw new ApiError(0, `The API at ${options.baseUrl} cannot be reached.`, { cause });
    }
    if (response.status === 304 || response.ok) return response;
    throw new ApiError(response.status, await errorMessage(response, path));
  };
  const json = async <T>(path: string, auth = true): Promise<T> =>
    (await request(path, { auth })).json() as Promise<T>;
  const conditional = async <T>(path: string, etag: string | null): Promise<Conditional<T>> => {
    const response = await request(path, { etag });
    if (response.status === 304) return { status: 'not-modified' };
    return { status: 'ok', etag: response.headers.get('ETag'), body: (await response.json()) as T };
  };

  return {
    listOperations: async (): Promise<OperationSummary[]> =>
      (await json<{ operations: OperationSummary[] }>('/operations')).operations,
    getOperation: (id: string): Promise<OperationDetail> => json<OperationDetail>(op(id)),
    getRollup: (id: string, etag: string | null): Promise<Conditional<RollupView>> =>
      conditional<RollupView>(`${op(id)}/rollup`, etag),
    listSubmissions: (id: string, country: string, etag: string | null): Promise<Conditional<Submission[]>> =>
      conditional<{ submissions: Submission[] }>(
        `${op(id)}/submissions?country=${encodeURIComponent(country)}`,
        etag,
      ).then((r) => (r.status === 'ok' ? { ...r, body: r.body.submissions } : r)),
    getSubmission: (
      id: string,
      submission: string,
    ): Promise<{ submission: Submission; report: SubmissionReport | null }> =>
      json(`${op(id)}/submissions/${encodeURIComponent(submission)}`),
    /** The public key final manifests are signed with, or null when none is published. */
    getPublicKey: async (id: string): Promise<PublicKey | null> => {
      try {
        return (await (await request(`${op(id)}/final/public-key`)).json()) as PublicKey;
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
        return (await (await request(`${op(id)}/final?format=json`)).json()) as FinalExport;
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
      const response = await request(`${op(id)}/final?format=${format}`, { accept: FORMAT_ACCEPT[format] });
      const digest = response.headers.get(DIGEST_HEADER) ?? response.headers.get(STORED_DIGEST_HEADER);
      return { blob: await response.blob(), digest };
    },
    /** One page of the submission ledger (auditors, admins; 403 for anyone else). */
    getLedger: (id: string, query: LedgerQuery = {}): Promise<LedgerPage> =>
      json<LedgerPage>(`${op(id)}/ledger${ledgerSearch(query)}`),
    /** The local stack's ready-made tokens; null when deployed (no such endpoint). */
    localTokens: async (): Promise<LocalTokens | null> => {
      try {
        const response = await request('/local/tokens', { auth: false });
        const body = (await response.json()) as Partial<LocalTokens>;
        return typeof body.coordinator === 'string' ? (body as LocalTokens) : null;
      } catch (e) {
        if (e instanceof ApiError) return null;
        throw e;
      }
    },
  };
}

async function errorMessage(response: Response, path: string): Promise<string> {
  let detail = '';
  try {
    const body = (await response.json()) as { message?: unknown; error?: unknown };
    const text = body.message ?? body.error;
    if (typeof text === 'string') detail = text;
    else if (text && typeof text === 'object' && 'message' in text) detail = String(text.message);
  } catch {
    // Not JSON: the status says enough.
  }
  return detail || `GET ${path} answered ${response.status} ${response.statusText}`.trim();
}
