import { describe, expect, it } from 'vitest';
import {
  INGEST_MAX_RECEIVES,
  INGEST_VISIBILITY_TIMEOUT_SECONDS,
  PROCESSING_MARGIN_SECONDS,
  PROCESSING_WINDOW_SECONDS,
} from '../../shared/domain/ingest-timing.ts';
import { type SubmissionFacts, shownVerdict } from '../../shared/domain/submission-view.ts';

const RECEIVED = '2025-11-12T10:00:00.000Z';
const at = (secondsAfterReceipt: number) => new Date(Date.parse(RECEIVED) + secondsAfterReceipt * 1000);

function aSubmission(overrides: Partial<SubmissionFacts> = {}): SubmissionFacts {
  return {
    id: 'BR-u1-000000000001',
    status: 'processing',
    receivedAt: RECEIVED,
    failure: null,
    ...overrides,
  };
}

describe('the processing window', () => {
  it('lasts every receive of the ingest message (visibility timeout × maxReceiveCount) plus a margin', () => {
    expect(PROCESSING_WINDOW_SECONDS).toBe(
      INGEST_VISIBILITY_TIMEOUT_SECONDS * INGEST_MAX_RECEIVES + PROCESSING_MARGIN_SECONDS,
    );
    expect(PROCESSING_MARGIN_SECONDS).toBeGreaterThan(0);
  });
});

describe('shownVerdict', () => {
  it('shows a submission as processing while its window lasts', () => {
    expect(shownVerdict(aSubmission(), null, at(PROCESSING_WINDOW_SECONDS))).toEqual({
      status: 'processing',
      failure: null,
    });
  });

  it('shows a submission still processing once its window has passed as failed, saying why', () => {
    const shown = shownVerdict(aSubmission(), null, at(PROCESSING_WINDOW_SECONDS + 1));

    expect(shown.status).toBe('failed');
    expect(shown.failure).toBe(
      `stuck: no verdict after ${Math.floor(PROCESSING_WINDOW_SECONDS / 60)} minutes; the file will be retried if the message is redriven from the dead-letter queue`,
    );
  });

  it('counts the window from processingSince when the submission records it (a redriven message starts anew)', () => {
    const redriven = aSubmission({ processingSince: at(2 * PROCESSING_WINDOW_SECONDS).toISOString() });

    expect(shownVerdict(redriven, null, at(2 * PROCESSING_WINDOW_SECONDS + 60)).status).toBe('processing');
    expect(shownVerdict(redriven, null, at(3 * PROCESSING_WINDOW_SECONDS + 1)).status).toBe('failed');
  });

  it('never overrides a recorded verdict, however old', () => {
    const late = at(10 * PROCESSING_WINDOW_SECONDS);

    for (const status of ['accepted', 'rejected'] as const) {
      expect(shownVerdict(aSubmission({ status }), null, late)).toEqual({ status, failure: null });
    }
    expect(shownVerdict(aSubmission({ status: 'failed', failure: 'S3 read failed' }), null, late)).toEqual({
      status: 'failed',
      failure: 'S3 read failed',
    });
  });

  it('shows an accepted file replaced by a later one as superseded, and the current one as accepted', () => {
    const accepted = aSubmission({ status: 'accepted' });

    expect(shownVerdict(accepted, { submissionId: 'BR-u2-000000000002' }, at(0)).status).toBe('superseded');
    expect(shownVerdict(accepted, { submissionId: accepted.id }, at(0)).status).toBe('accepted');
  });

  it('keeps a submission whose receipt time cannot be read as processing rather than guess', () => {
    expect(shownVerdict(aSubmission({ receivedAt: 'not a time' }), null, at(1e9)).status).toBe('processing');
  });
});
