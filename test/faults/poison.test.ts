import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { objectCreated } from '../../events/load-event.ts';
import { storedRollup } from '../../shared/app/read-rollup.ts';
import { freshStack } from '../support/local-servers.ts';

/**
 * Invariant 4 for messages no retry can fix: after the last receive they sit in the dead-letter
 * queue, never silently dropped, with the failure visible — on the submission (status `failed`
 * and its reason, through the API) when the message names an upload, else in the ingest's log.
 */

type Stack = Awaited<ReturnType<typeof freshStack>>;
const OP = 'liberterra-iii';

describe('a poison message', () => {
  let stack: Stack;
  const logged: string[] = [];

  beforeAll(async () => {
    // The stack's own queue and handler, retries shortened; its log lines (JSON, as on Lambda) captured.
    stack = await freshStack({
      logSink: { format: 'json', write: (line) => logged.push(line) },
      queue: { retryDelayMs: 20, maxRetryDelayMs: 100 },
    });
  });
  afterAll(async () => {
    await stack.dispose();
  });
  afterEach(() => {
    logged.length = 0;
  });

  it('that is not an S3 event ends in the DLQ after 5 receives, its reason in the log', async () => {
    const messageId = await stack.queue.send('{"hello":"this is not an S3 event notification"}');
    await stack.settled();

    const dead = stack.queue.deadLetters.find((m) => m.messageId === messageId);
    expect(dead).toMatchObject({ receiveCount: 5, body: '{"hello":"this is not an S3 event notification"}' });
    const reasons = logged
      .map(
        (line) => JSON.parse(line) as { message?: string; messageId?: string; error?: { message?: string } },
      )
      .filter((entry) => entry.message === 'ingest failed' && entry.messageId === messageId);
    expect(reasons).toHaveLength(5);
    expect(reasons[0]?.error?.message).toMatch(/not an S3 event notification/);
  });

  it('for an object that never existed ends in the DLQ, its submission failed with the reason', async () => {
    const key = `incoming/${OP}/MX/never-uploaded.csv`;
    const notification = objectCreated(key, { bucket: stack.bucket, eventTime: '2025-11-12T10:00:00.000Z' });
    const messageId = await stack.queue.send(JSON.stringify(notification));
    await stack.settled();

    expect(stack.queue.deadLetters.map((m) => m.messageId)).toContain(messageId);
    const res = await fetch(`${stack.apiUrl}/operations/${OP}/submissions?country=MX`, {
      headers: { authorization: `Bearer ${await stack.tokens.agency('MX')}` },
    });
    const { submissions } = (await res.json()) as {
      submissions: { key: string; status: string; failure: string | null; attempts: number }[];
    };
    const submission = submissions.find((s) => s.key === key);
    expect(submission).toMatchObject({ status: 'failed', attempts: 5 });
    expect(submission?.failure).toMatch(/NoSuchKey|does not exist/i);
    const rollup = await storedRollup(stack, OP);
    expect(rollup?.body ? JSON.parse(rollup.body).byCountry.MX : undefined).toBeUndefined();
  });
});
