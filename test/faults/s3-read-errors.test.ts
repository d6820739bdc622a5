import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectCreated, sqsEventOf } from '../../events/load-event.ts';
import { makeIngestHandler } from '../../functions/ingest/ingest.ts';
import type { OpenedObject } from '../../shared/adapters/objects.ts';
import type { StoredReport } from '../../shared/domain/stored-report.ts';
import { anOperation, aReturn } from '../support/builders.ts';
import { defineOn, freshStack } from '../support/local-servers.ts';
import { deliverUntilDone, ownAdapters, storedRollup, uploaded } from './inject.ts';

/**
 * Transient S3 read errors (a connection reset before or in the middle of the object) are retried:
 * the upload is accepted once, with the SHA-256 of the whole object, and never rejected as a
 * malformed file for bytes it does not lack.
 */

type Stack = Awaited<ReturnType<typeof freshStack>>;

/** A connection reset, as Node reports one. */
function connectionReset(): Error {
  return Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' });
}

/** The body of an object, cut off by a connection reset after `bytes` bytes. */
async function* cutOff(body: AsyncIterable<Uint8Array>, bytes: number): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for await (const chunk of body) {
    if (sent + chunk.length >= bytes) {
      yield chunk.subarray(0, bytes - sent);
      throw connectionReset();
    }
    sent += chunk.length;
    yield chunk;
  }
  throw connectionReset();
}

/** A long enough return that a cut in the middle leaves a plausible, shorter file. */
const CSV = (() => {
  const r = aReturn();
  for (const day of ['2025-11-10', '2025-11-11', '2025-11-12']) {
    r.withRow(day, 'arrests', 100).withRow(day, 'arrests_trafficking_smuggling', 10);
    r.withRow(day, 'victims_safeguarded', 30).withRow(day, 'victims_safeguarded', 3, 'exploitation=other');
  }
  return r.csv();
})();

describe('transient S3 read errors', () => {
  let stack: Stack;
  let ops = 0;

  /**
   * Uploads CSV to a new operation and delivers it to a handler whose object store fails the
   * first `failures` reads: `where` says how (the GetObject call itself, or the stream midway).
   */
  async function ingestWithFailingReads(failures: number, where: 'open' | 'stream') {
    const op = anOperation({ id: `faults-s3-${++ops}` });
    await defineOn(stack, op);
    const adapters = ownAdapters(stack);
    const realOpen = adapters.objects.open.bind(adapters.objects);
    let reads = 0;
    adapters.objects.open = async (key, versionId): Promise<OpenedObject> => {
      reads++;
      if (reads <= failures && where === 'open') throw connectionReset();
      const object = await realOpen(key, versionId);
      return reads <= failures
        ? { ...object, body: cutOff(object.body, Math.floor(CSV.length / 2)) }
        : object;
    };
    const ingest = makeIngestHandler({ ...adapters, maxReceives: 5, log: () => undefined });
    const key = `incoming/${op.id}/BR/return.csv`;
    const deliveries = await deliverUntilDone(
      ingest,
      await uploaded(stack, key, CSV, '2025-11-12T09:00:00Z'),
    );
    const { submissions } = await stack.repo.listSubmissions(op.id, 'BR', { limit: 10 });
    const report = await stack.objects.getJson<StoredReport>(submissions[0]?.reportKey ?? '');
    return { deliveries, reads, submissions, report, rollup: await storedRollup(stack, op.id) };
  }

  beforeAll(async () => {
    stack = await freshStack({ notifications: false });
  });
  afterAll(async () => {
    await stack.dispose();
  });

  for (const [where, failures] of [
    ['stream', 1],
    ['stream', 2],
    ['open', 1],
  ] as const) {
    it(`accepts the upload on the same delivery when the ${where === 'open' ? 'GetObject call' : 'stream'} fails ${failures}×`, async () => {
      const { deliveries, reads, submissions, report, rollup } = await ingestWithFailingReads(
        failures,
        where,
      );

      expect(deliveries).toBe(1);
      expect(reads).toBe(failures + 1);
      expect(submissions.map((s) => s.status)).toEqual(['accepted']);
      expect(report?.report.problems).toEqual([]);
      expect(report?.submission.sha256).toBe(createHash('sha256').update(CSV).digest('hex'));
      expect(report?.submission.size).toBe(Buffer.byteLength(CSV));
      expect(rollup?.byCountry.BR?.arrests).toBe(300);
      expect(rollup?.version).toBe(1_000_000_001);
    });
  }

  it('fails the delivery, not the file, when every read in it breaks off; the next delivery accepts it once', async () => {
    // Three reads per delivery: the first delivery's all fail, the second delivery's first read works.
    const { deliveries, reads, submissions, rollup } = await ingestWithFailingReads(3, 'stream');

    expect(deliveries).toBe(2);
    expect(reads).toBe(4);
    expect(submissions.map((s) => s.status)).toEqual(['accepted']);
    expect(rollup?.byCountry.BR?.arrests).toBe(300);
    expect(rollup?.version).toBe(1_000_000_001);
  });

  it('does not read a missing object again within the delivery (the queue retries it)', async () => {
    const op = anOperation({ id: `faults-s3-${++ops}` });
    await defineOn(stack, op);
    const adapters = ownAdapters(stack);
    const realOpen = adapters.objects.open.bind(adapters.objects);
    let reads = 0;
    adapters.objects.open = (key, versionId) => {
      reads++;
      return realOpen(key, versionId);
    };
    const ingest = makeIngestHandler({ ...adapters, maxReceives: 5, log: () => undefined });
    const out = await ingest(
      sqsEventOf([objectCreated(`incoming/${op.id}/BR/never-stored.csv`, { bucket: stack.bucket })]),
    );

    expect(out.batchItemFailures).toHaveLength(1);
    expect(reads).toBe(1);
  });
});
