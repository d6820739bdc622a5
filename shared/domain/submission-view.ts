import { PROCESSING_WINDOW_SECONDS } from './ingest-timing.ts';

/** A submission's status as users see it: `superseded` and a stuck `failed` are derived on read. */
export type ShownStatus = 'processing' | 'accepted' | 'rejected' | 'failed' | 'superseded';

/** What the rule reads of a stored submission. */
export type SubmissionFacts = {
  id: string;
  status: 'processing' | 'accepted' | 'rejected' | 'failed';
  /** When S3 received the file (the S3 event time). */
  receivedAt: string;
  /** When the current processing attempt began, where recorded: a redriven message starts anew. */
  processingSince?: string | null;
  failure: string | null;
};

/** The status shown, and why processing failed (null unless `failed`). */
export type ShownVerdict = { status: ShownStatus; failure: string | null };

/**
 * How a submission is shown at `now`, given its country's current item (`current`, null when the
 * country has none):
 *
 * - `processing` past its processing window is `failed`: every receive of its message has ended
 *   (the Lambda ran out of memory or time each time, so none could record a verdict) and the
 *   message is in the dead-letter queue. Nothing is written: redriving the message can still give
 *   the file its verdict, which then shows instead.
 * - `accepted` but no longer the country's current figures is `superseded`.
 * - Anything else is shown as stored.
 *
 * The window runs from `processingSince` when recorded, else from `receivedAt`; an unreadable time
 * keeps the stored status rather than guess.
 */
export function shownVerdict(
  sub: SubmissionFacts,
  current: { submissionId: string } | null,
  now: Date,
  windowSeconds: number = PROCESSING_WINDOW_SECONDS,
): ShownVerdict {
  if (sub.status === 'processing') {
    const since = Date.parse(sub.processingSince ?? sub.receivedAt);
    if (now.getTime() - since > windowSeconds * 1000) {
      return { status: 'failed', failure: stuckReason(windowSeconds) };
    }
  }
  if (sub.status === 'accepted' && current && current.submissionId !== sub.id) {
    return { status: 'superseded', failure: sub.failure };
  }
  return { status: sub.status, failure: sub.failure };
}

/** Why a submission stuck in processing is shown as failed, and what can still happen to it. */
export function stuckReason(windowSeconds: number = PROCESSING_WINDOW_SECONDS): string {
  return `stuck: no verdict after ${Math.floor(windowSeconds / 60)} minutes; the file will be retried if the message is redriven from the dead-letter queue`;
}
