/**
 * The ingest queue's timing, defined once: the CDK construct configures the SQS queue and the
 * ingest function from it, the local queue mirrors it, and the API derives from it how long a file
 * may stay `processing` before no verdict can come any more (see `submission-view.ts`).
 */

/** The ingest function's timeout: the largest workbook parses in well under it. */
export const INGEST_TIMEOUT_SECONDS = 60;

/** How long the SQS event source gathers messages before invoking the ingest function. */
export const INGEST_BATCHING_WINDOW_SECONDS = 1;

/**
 * AWS guidance for Lambda consumers: a visibility timeout of at least six times the function
 * timeout, plus the batching window, or a message could reappear while its first invocation is
 * still running.
 */
export function visibilityTimeoutSeconds(
  functionTimeoutSeconds: number,
  batchingWindowSeconds: number,
): number {
  return functionTimeoutSeconds * 6 + batchingWindowSeconds;
}

/** The ingest queue's visibility timeout (361 s). */
export const INGEST_VISIBILITY_TIMEOUT_SECONDS = visibilityTimeoutSeconds(
  INGEST_TIMEOUT_SECONDS,
  INGEST_BATCHING_WINDOW_SECONDS,
);

/** Receives of one message before SQS parks it in the dead-letter queue (the redrive maxReceiveCount). */
export const INGEST_MAX_RECEIVES = 5;

/**
 * Added to the receives' worst case: S3's notification delay, a throttled event source, clock skew
 * between S3's event time and the API's clock. Generous, because calling a file stuck too early
 * would tell an agency to upload again while its file is still being checked.
 */
export const PROCESSING_MARGIN_SECONDS = 5 * 60;

/**
 * How long after its start a submission can still get a verdict: each receive hides the message
 * for the visibility timeout, so after `maxReceives` of them the message is in the DLQ and no
 * invocation is left running.
 */
export function processingWindowSeconds(visibilitySeconds: number, maxReceives: number): number {
  return visibilitySeconds * maxReceives + PROCESSING_MARGIN_SECONDS;
}

/** The deployed queue's processing window (2,105 s, about 35 minutes). */
export const PROCESSING_WINDOW_SECONDS = processingWindowSeconds(
  INGEST_VISIBILITY_TIMEOUT_SECONDS,
  INGEST_MAX_RECEIVES,
);
