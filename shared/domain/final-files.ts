import { exportKey } from './export-delivery.ts';
import { finalCsv, finalSdmxCsv, type Manifest, manifestDigest } from './final-export.ts';
import type { OperationStatus } from './operation.ts';
import type { ManifestSignature } from './signature.ts';

/** The formats of the final export. */
export const FINAL_FORMATS = ['json', 'csv', 'sdmx-csv'] as const;
export type FinalFormat = (typeof FINAL_FORMATS)[number];

/** Whether a `format` query value names a final export format. */
export function isFinalFormat(value: string): value is FinalFormat {
  return (FINAL_FORMATS as readonly string[]).includes(value);
}

/** How each format is served. JSON is read by programs (the dashboard among them), not saved: no file name. */
const FILE_TYPES: Record<FinalFormat, { extension: string; contentType: string; attachment: boolean }> = {
  json: { extension: 'json', contentType: 'application/json; charset=utf-8', attachment: false },
  csv: { extension: 'csv', contentType: 'text/csv; charset=utf-8', attachment: true },
  'sdmx-csv': {
    extension: 'sdmx.csv',
    contentType: 'application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8',
    attachment: true,
  },
};

/** One final export as a file: its bytes, how to serve them, and where a large one is stored. */
export type FinalFile = {
  manifestSha256: string;
  body: string;
  contentType: string;
  /** `attachment; filename="{op}-{status}.{extension}"` for the CSV formats, else null. */
  contentDisposition: string | null;
  /** `exports/{op}/{digest}.{extension}` (see `exportKey`). */
  key: string;
};

/**
 * The final figures of `manifest` in `format`. Every byte follows from the manifest (the window is
 * the definition's, whose hash the manifest holds), so the same manifest always gives the same
 * file — which is what lets a stored copy be named by the manifest digest.
 */
export function finalFile(
  manifest: Manifest,
  window: { start: string; end: string },
  status: OperationStatus,
  format: FinalFormat,
  /** The manifest's signature (a final operation): the JSON export carries it. */
  signature: ManifestSignature | null = null,
): FinalFile {
  const manifestSha256 = manifestDigest(manifest);
  const { extension, contentType, attachment } = FILE_TYPES[format];
  const body =
    format === 'json'
      ? JSON.stringify({ manifestSha256, manifest, ...(signature ? { signature } : {}) })
      : format === 'csv'
        ? finalCsv(manifest)
        : finalSdmxCsv(manifest, window);
  return {
    manifestSha256,
    body,
    contentType,
    contentDisposition: attachment
      ? `attachment; filename="${manifest.operation}-${status}.${extension}"`
      : null,
    key: exportKey(manifest.operation, manifestSha256, extension),
  };
}

/** The bytes a text body takes inside a Lambda response document (JSON-escaped, UTF-8). */
export function responseBodyBytes(body: string): number {
  return Buffer.byteLength(JSON.stringify(body), 'utf8');
}
