import { ApiError } from '../../shared/api/client.ts';
import type {
  CountryView,
  DryRunResult,
  UploadReceipt,
  UploadSlot,
  UploadStatus,
} from '../../shared/api/responses.ts';
import { API } from '../../shared/api/routes.ts';
import { type Fetch, pageClient } from './api-client.ts';

/**
 * The requests the "Send a return" panel makes, on the one API client (shared/api/client.ts) and
 * the contract's answer types: the dry run, the upload slot and its receipt, and the figures that
 * count for the country now. Storage itself is reached with `postToStorage`.
 */

export type { CountryView, DryRunResult, UploadReceipt, UploadSlot, UploadStatus };
/** An API refusal (or no answer: status 0): the one client's error. */
export { ApiError };

/** The content type a return is sent to the dry run with (the API reads the format from it too). */
export function contentTypeOf(fileName: string): string {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.json')) return 'application/json';
  if (lower.endsWith('.xlsx')) return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  return 'text/csv';
}

/** Builds the upload client. Every request carries `Authorization: Bearer <token>`. */
export function createUploadApi(options: { baseUrl: string; token: string; fetch?: Fetch }) {
  const client = pageClient(options);

  return {
    /**
     * The dry run of a file sent in the body (the API takes bodies up to `DRY_RUN_BODY_LIMIT`). The
     * panel compares totals and days only: it asks for the summary, which fits an answer whatever
     * the return's breakdowns (so do the two calls below).
     */
    validateFile: (id: string, file: Blob, fileName: string): Promise<DryRunResult> =>
      client.call(API.validate, {
        params: { op: id },
        query: { fileName, figures: 'summary' },
        body: { bytes: file, contentType: contentTypeOf(fileName) },
      }),
    /** The dry run of a file already uploaded to a dry-run slot. */
    validateSlot: (id: string, uploadId: string): Promise<DryRunResult> =>
      client.call(API.validate, { params: { op: id }, query: { uploadId, figures: 'summary' } }),
    /** A slot for one file (`dryRun`: checked on request, never counted). */
    createSlot: (id: string, fileName: string, dryRun: boolean): Promise<UploadSlot> =>
      client.call(API.createUpload, { params: { op: id }, body: { fileName, dryRun } }),
    /** The slot, and once its file landed, its receipt and verdict. */
    getUpload: (id: string, uploadId: string): Promise<UploadStatus> =>
      client.call(API.getUpload, { params: { op: id, uploadId } }),
    /** The figures that count for the country now. */
    getCountry: (id: string, country: string): Promise<CountryView> =>
      client.call(API.getCountry, { params: { op: id, cc: country }, query: { figures: 'summary' } }),
    /** The stored validation report of a submission, as text. */
    reportText: (id: string, submission: string): Promise<string> =>
      client.text(API.getSubmission, {
        params: { op: id, id: submission },
        query: { format: 'text' },
        accept: 'text/plain',
      }),
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
