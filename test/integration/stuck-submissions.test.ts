import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCESSING_WINDOW_SECONDS } from '../../shared/domain/ingest-timing.ts';
import type { Submission } from '../../shared/domain/ledger.ts';
import { freshStack } from '../support/local-servers.ts';

const OP = 'liberterra-iii';
const RECEIVED = '2025-11-12T10:00:00.000Z';
const secondsAfterReceipt = (seconds: number) => new Date(Date.parse(RECEIVED) + seconds * 1000);
const STUCK_REASON = /^stuck: no verdict after \d+ minutes; .*redriven from the dead-letter queue$/;

type Shown = { id: string; status: string; failure: string | null };

/**
 * A file whose ingest never recorded a verdict (the Lambda ran out of memory or time on every
 * receive, and the message went to the DLQ): its submission stays `processing` in DynamoDB. The
 * API shows it as failed once the processing window has passed. The API's clock is set through
 * ApiDeps.now; the stuck submission is written as the ingest's first step writes it.
 */
describe('a submission stuck in processing', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let clock = secondsAfterReceipt(60);
  let stuck: Submission;
  const get = async <T>(path: string, token: string): Promise<T> => {
    const res = await fetch(`${stack.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    stack = await freshStack({ api: { now: () => clock } });
    const agency = await stack.tokens.agency('BR');
    const slot = await fetch(`${stack.apiUrl}/operations/${OP}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agency}`, 'content-type': 'application/json' },
      body: JSON.stringify({ fileName: 'return.csv' }),
    });
    const { uploadId, key } = (await slot.json()) as { uploadId: string; key: string };
    stuck = {
      id: `BR-${uploadId}-0123456789ab`,
      operation: OP,
      country: 'BR',
      key,
      uploadId,
      size: 120,
      sha256: null,
      receivedAt: RECEIVED,
      processedAt: null,
      status: 'processing',
      orderKey: `S|${uploadId}`,
      errors: 0,
      warnings: 0,
      reportKey: null,
      summary: null,
      failure: null,
      attempts: 5,
    };
    expect(await stack.repo.startSubmission(stuck, { status: 'open', definitionVersion: 1 })).not.toBeNull();
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('is shown as processing while its processing window lasts', async () => {
    clock = secondsAfterReceipt(PROCESSING_WINDOW_SECONDS - 60);

    const { submissions } = await get<{ submissions: Shown[] }>(
      `/operations/${OP}/submissions?country=BR`,
      stack.tokens.coordinator,
    );

    expect(submissions.find((s) => s.id === stuck.id)).toMatchObject({ status: 'processing', failure: null });
  });

  it('is shown as failed, with the reason, in the submission list and the submission once the window has passed', async () => {
    clock = secondsAfterReceipt(PROCESSING_WINDOW_SECONDS + 60);

    const { submissions } = await get<{ submissions: Shown[] }>(
      `/operations/${OP}/submissions?country=BR`,
      stack.tokens.coordinator,
    );
    const { submission } = await get<{ submission: Shown }>(
      `/operations/${OP}/submissions/${stuck.id}`,
      stack.tokens.coordinator,
    );
    const text = await (
      await fetch(`${stack.apiUrl}/operations/${OP}/submissions/${stuck.id}?format=text`, {
        headers: { authorization: `Bearer ${stack.tokens.coordinator}` },
      })
    ).text();

    expect(submissions.find((s) => s.id === stuck.id)).toMatchObject({ status: 'failed' });
    expect(submission.status).toBe('failed');
    expect(submission.failure).toMatch(STUCK_REASON);
    expect(text).toMatch(/: failed — stuck: no verdict after \d+ minutes/);
  });

  it('is shown as failed in the ledger, filtered by verdict, and in its upload receipt', async () => {
    // These two routes do not pass ApiDeps.now to submissionView yet: they judge by the system
    // clock, which is long past this 2025 receipt too.
    clock = secondsAfterReceipt(PROCESSING_WINDOW_SECONDS + 60);

    const ledger = await get<{ entries: Shown[] }>(
      `/operations/${OP}/ledger?verdict=failed`,
      stack.tokens.auditor,
    );
    const receipt = await get<{ submission: Shown }>(
      `/operations/${OP}/uploads/${stuck.uploadId}`,
      await stack.tokens.agency('BR'),
    );

    expect(ledger.entries.map((e) => [e.id, e.status])).toEqual([[stuck.id, 'failed']]);
    expect(ledger.entries[0]?.failure).toMatch(STUCK_REASON);
    expect(receipt.submission).toMatchObject({ id: stuck.id, status: 'failed' });
    expect(receipt.submission.failure).toMatch(STUCK_REASON);
  });

  it('leaves the stored record as the ingest wrote it: the status is derived on read', async () => {
    expect((await stack.repo.getSubmission(OP, stuck.id))?.status).toBe('processing');
  });
});
