/**
 * How final exports reach their reader. A Lambda response is capped at 6 MB, and the final export
 * of a large operation (a 30-day window, 12 metrics, 119 countries) passes it. So an answer that
 * fits under `INLINE_ANSWER_LIMIT_BYTES` goes in the response; a larger one is written to S3 once,
 * under a key named by its manifest digest, and answered with a 303 to a short-lived presigned GET.
 *
 * Plain values only (no Node.js imports): the dashboard reads the header names from here too.
 */

/**
 * The largest body answered inline, counted as the Lambda response carries it (JSON-escaped,
 * UTF-8). 4 MB stays clear of the 6 MB cap with room for the headers and the response envelope.
 */
export const INLINE_ANSWER_LIMIT_BYTES = 4 * 1024 * 1024;

/**
 * How long a presigned export link stays valid: long enough to start the download it was made
 * for, short enough that a link copied into a ticket or a log is soon useless.
 */
export const EXPORT_LINK_SECONDS = 300;

/** Where exports too large to answer inline are written (the API may write nowhere else for them). */
export const EXPORTS_PREFIX = 'exports/';

/**
 * The key of one export file. Content-addressed: the manifest digest fixes every byte of every
 * format, so a key is written once and never changes, and a changed manifest gets a new key.
 */
export function exportKey(op: string, manifestSha256: string, extension: string): string {
  return `${EXPORTS_PREFIX}${op}/${manifestSha256}.${extension}`;
}

/** The API's header naming the manifest digest of an export (inline answers and redirects). */
export const DIGEST_HEADER = 'x-manifest-sha256';

/** The object metadata key carrying the digest on a stored export (S3 adds `x-amz-meta-`). */
export const DIGEST_METADATA_KEY = 'manifest-sha256';

/** How storage serves `DIGEST_METADATA_KEY`: what a client that followed the redirect reads. */
export const STORED_DIGEST_HEADER = `x-amz-meta-${DIGEST_METADATA_KEY}`;

/**
 * The uploads bucket's CORS rule, applied by the infrastructure and by the local stack alike. A
 * dashboard that follows the API's redirect makes a cross-origin GET to storage; without this rule
 * the browser would withhold the answer. Any origin may read: the presigned signature, not the
 * origin, is what authorizes the request, and the rule grants nothing a signature does not.
 */
export const DOWNLOAD_CORS_RULE = {
  allowedMethods: ['GET', 'HEAD'],
  allowedOrigins: ['*'],
  exposedHeaders: [STORED_DIGEST_HEADER],
  maxAgeSeconds: 3000,
} as const;

/** A CORS rule of the uploads bucket, as plain data (the CDK app and the local stack map it). */
export type StorageCorsRule = {
  allowedMethods: readonly ('GET' | 'HEAD' | 'POST')[];
  allowedOrigins: readonly string[];
  allowedHeaders: readonly string[];
  exposedHeaders: readonly string[];
  maxAgeSeconds: number;
};

/**
 * The uploads bucket's CORS rule for browser uploads: the dashboard posts an agency's return
 * straight to storage through an upload slot's presigned POST. Only POST, and only from the
 * dashboard's own origins: the page asks first (a preflight, since it listens to upload progress),
 * and storage answers it for no other site. No request header beyond the form's is needed.
 */
export function uploadCorsRule(dashboardOrigins: readonly string[]): StorageCorsRule {
  if (dashboardOrigins.length === 0 || dashboardOrigins.some((o) => o === '*' || o.endsWith('/'))) {
    throw new Error(
      `Browser uploads are allowed from the dashboard's origins only ("https://host", no "*", no trailing slash); got ${JSON.stringify(dashboardOrigins)}.`,
    );
  }
  return {
    allowedMethods: ['POST'],
    allowedOrigins: [...dashboardOrigins],
    allowedHeaders: [],
    exposedHeaders: [],
    maxAgeSeconds: 3000,
  };
}

/** Every CORS rule of the uploads bucket: downloads of large exports, and browser uploads. */
export function storageCorsRules(dashboardOrigins: readonly string[]): StorageCorsRule[] {
  return [{ ...DOWNLOAD_CORS_RULE, allowedHeaders: [] }, uploadCorsRule(dashboardOrigins)];
}

/**
 * The uploads bucket's CORS configuration in the shape of S3's PutBucketCors (`CORSConfiguration`):
 * what the CDK app's custom resource and the local stack both send, so the two cannot differ.
 */
export function s3CorsConfiguration(dashboardOrigins: readonly string[]): {
  CORSRules: {
    AllowedMethods: string[];
    AllowedOrigins: string[];
    AllowedHeaders?: string[];
    ExposeHeaders?: string[];
    MaxAgeSeconds: number;
  }[];
} {
  return {
    CORSRules: storageCorsRules(dashboardOrigins).map((rule) => ({
      AllowedMethods: [...rule.allowedMethods],
      AllowedOrigins: [...rule.allowedOrigins],
      ...(rule.allowedHeaders.length > 0 ? { AllowedHeaders: [...rule.allowedHeaders] } : {}),
      ...(rule.exposedHeaders.length > 0 ? { ExposeHeaders: [...rule.exposedHeaders] } : {}),
      MaxAgeSeconds: rule.maxAgeSeconds,
    })),
  };
}
