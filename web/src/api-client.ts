import type {
  LocalTokens,
  OperationDetail,
  OperationSummary,
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

/** A typed client for the endpoints the dashboard reads. */
export type Api = ReturnType<typeof createApi>;

/** Builds a client. With a token, every request carries `Authorization: Bearer <token>`. */
export function createApi(options: { baseUrl: string; token?: string | null; fetch?: Fetch }) {
  const doFetch: Fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const op = (id: string) => `/operations/${encodeURIComponent(id)}`;

  const request = async (
    path: string,
    init: { etag?: string | null; auth?: boolean } = {},
  ): Promise<Response> => {
    const headers: Record<string, string> = { Accept: 'application/json' };
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
    /** Whether final figures can be read: true on 200, false on 404/409/403. */
    hasFinal: async (id: string): Promise<boolean> => {
      try {
        await request(`${op(id)}/final`);
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.status !== 0 && e.status !== 401 && e.status < 500) return false;
        throw e;
      }
    },
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
