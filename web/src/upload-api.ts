import type { Report } from '../../shared/domain/check-return.ts';
import type { CountryFigures } from '../../shared/domain/checks/figures.ts';
import type { Fetch } from './api-client.ts';
import type { Submission } from './api-types.ts';

/**
 * The requests the "Send a return" panel makes: the dry run, the upload slot and its receipt, and
 * the figures that count for the country now. Storage itself is reached with `postToStorage`.
 */

/**
 * An API refusal with its HTTP status (0: no answer) and error code (`forbidden`,
 * `unknown-country`, `unsupported-format`, …; null when the answer had none). Its own class, so
 * this module does not depend on how the read client builds its errors.
 */
export class UploadApiError extends Error {
  readonly status: number;
  readonly code: string | null;

  constructor(status: number, code: string | null, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UploadApiError';
    this.status = status;
    this.code = code;
  }
}

/** `POST /operations/{op}/uploads`: a slot and the presigned POST that fills it. */
export type UploadSlot = {
  uploadId: string;
  country: string;
  key: string;
  sequence: number;
  dryRun: boolean;
  maxBytes: number;
  expiresAt: string;
  operationStatus: string;
  upload: { method: 'POST'; url: string; fields: Record<string, string> };
  receipt: string;
};

/** `POST /operations/{op}/validate`: the report and the figures the file would produce. */
export type DryRunResult = {
  dryRun: true;
  country: string;
  fileName: string;
  report: Report;
  figures: CountryFigures | null;
};

/** `GET /operations/{op}/countries/{cc}`: the figures that count for a country now. */
export type CountryNow =
  | { country: string; name: string; region: string; reported: false }
  | {
      country: string;
      name: string;
      region: string;
      reported: true;
      submissionId: string;
      receivedAt: string;
      acceptedAt: string;
      firstAcceptedAt: string;
      totals: Record<string, number>;
      byDay: Record<string, Record<string, number>>;
    };

/** The receipt storage's file got: the server's digest and size of what it received. */
export type UploadReceipt = {
  uploadId: string;
  submissionId: string;
  sha256: string | null;
  size: number | null;
  receivedAt: string;
};

/** `GET /operations/{op}/uploads/{uploadId}`: the slot, and once its file landed, receipt and verdict. */
export type UploadState = {
  receipt: UploadReceipt | null;
  submission: Submission | null;
};

/** The content type a return is sent to the dry run with (the API reads the format from it too). */
export function contentTypeOf(fileName: string): string {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.json')) return 'application/json';
  if (lower.endsWith('.xlsx')) return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  return 'text/csv';
}

/** Builds the upload client. Every request carries `Authorization: Bearer <token>`. */
export function createUploadApi(options: { baseUrl: string; token: string; fetch?: Fetch }) {
  const doFetch: Fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const op = (id: string) => `/operations/${encodeURIComponent(id)}`;

  const send = async (
    path: string,
    init: { method?: string; body?: BodyInit; contentType?: string; accept?: string } = {},
  ): Promise<Response> => {
    const headers: Record<string, string> = {
      Accept: init.accept ?? 'application/json',
      Authorization: `Bearer ${options.token}`,
    };
    if (init.contentType) headers['Content-Type'] = init.contentType;
    let response: Response;
    try {
      response = await doFetch(`${options.baseUrl}${path}`, {
        method: init.method ?? 'GET',
        headers,
        ...(init.body === undefined ? {} : { body: init.body }),
        cache: 'no-store',
      });
    } catch (cause) {
      throw new UploadApiError(0, null, `The API at ${options.baseUrl} cannot be reached.`, { cause });
    }
    if (response.ok) return response;
    const { code, message } = await refusal(response);
    throw new UploadApiError(
      response.status,
      code,
      message || `${init.method ?? 'GET'} ${path} answered ${response.status}`,
    );
  };

  return {
    /** The dry run of a file sent in the body (the API takes bodies up to `DRY_RUN_BODY_LIMIT`). */
    validateFile: async (id: string, file: Blob, fileName: string): Promise<DryRunResult> =>
      (await (
        await send(`${op(id)}/validate?fileName=${encodeURIComponent(fileName)}`, {
          method: 'POST',
          body: file,
          contentType: contentTypeOf(fileName),
        })
      ).json()) as DryRunResult,
    /** The dry run of a file already uploaded to a dry-run slot. */
    validateSlot: async (id: string, uploadId: string): Promise<DryRunResult> =>
      (await (
        await send(`${op(id)}/validate?uploadId=${encodeURIComponent(uploadId)}`, { method: 'POST' })
      ).json()) as DryRunResult,
    /** A slot for one file (`dryRun`: checked on request, never counted). */
    createSlot: async (id: string, fileName: string, dryRun: boolean): Promise<UploadSlot> =>
      (await (
        await send(`${op(id)}/uploads`, {
          method: 'POST',
          body: JSON.stringify({ fileName, dryRun }),
          contentType: 'application/json',
        })
      ).json()) as UploadSlot,
    getUpload: async (id: string, uploadId: string): Promise<UploadState> =>
      (await (await send(`${op(id)}/uploads/${encodeURIComponent(uploadId)}`)).json()) as UploadState,
    getCountry: async (id: string, country: string): Promise<CountryNow> =>
      (await (await send(`${op(id)}/countries/${encodeURIComponent(country)}`)).json()) as CountryNow,
    /** The stored validation report of a submission, as text. */
    reportText: async (id: string, submission: string): Promise<string> =>
      (
        await send(`${op(id)}/submissions/${encodeURIComponent(submission)}?format=text`, {
          accept: 'text/plain',
        })
      ).text(),
  };
}

/** The upload client. */
export type UploadApi = ReturnType<typeof createUploadApi>;

/**
 * The largest file the page dry-runs in a request body. API Gateway takes 10 MB and a Lambda
 * request 6 MB, of which a binary body (sent base64) uses a third more: above this size the page
 * puts the file in a dry-run slot first, and the API reads it from storage.
 */
export const DRY_RUN_BODY_LIMIT = 4 * 1024 * 1024;

/** Why a POST to storage did not store the file. */
export class StorageUploadError extends Error {
  readonly status: number;

  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StorageUploadError';
    this.status = status;
  }
}

/**
 * Posts `file` to a slot's presigned POST, straight to storage, reporting progress. Resolves once
 * storage answered 2xx (the file is stored); rejects with `StorageUploadError` otherwise (storage
 * stores nothing of a POST it did not accept whole). XMLHttpRequest, not `fetch`: only it reports
 * upload progress. Listening to upload progress makes the browser ask storage first (a CORS
 * preflight), which the bucket's CORS rule answers for the dashboard's origin.
 */
export function postToStorage(
  slot: Pick<UploadSlot, 'upload'>,
  file: Blob,
  fileName: string,
  onProgress: (sent: number, total: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const form = new FormData();
  for (const [name, value] of Object.entries(slot.upload.fields)) form.append(name, value);
  // S3 ignores every field after `file`.
  form.append('file', file, fileName);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', slot.upload.url);
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else
        reject(
          new StorageUploadError(
            xhr.status,
            `Storage refused the file (${xhr.status}${storageCode(xhr.responseText)}).`,
          ),
        );
    });
    xhr.addEventListener('error', () =>
      reject(new StorageUploadError(0, 'The connection to storage broke off before the file was stored.')),
    );
    xhr.addEventListener('abort', () => reject(new StorageUploadError(0, 'The upload was cancelled.')));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

/** S3's error code from its XML answer (`: EntityTooLarge`), or ''. */
function storageCode(xml: string): string {
  const code = /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
  return code ? `: ${code}` : '';
}

async function refusal(response: Response): Promise<{ code: string | null; message: string }> {
  try {
    const body = (await response.json()) as { error?: unknown; message?: unknown };
    return {
      code: typeof body.error === 'string' ? body.error : null,
      message: typeof body.message === 'string' ? body.message : '',
    };
  } catch {
    return { code: null, message: '' };
  }
}
