import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { objectCreated, sqsEventOf } from '../../events/load-event.ts';
import { makeIngestHandler } from '../../functions/ingest/ingest.ts';
import { storedRollup } from '../../shared/app/read-rollup.ts';
import type { StoredReport } from '../../shared/domain/stored-report.ts';
import { countingRepository, freshStack, readAll } from '../support/local-servers.ts';

type Stack = Awaited<ReturnType<typeof freshStack>>;
const OP = 'liberterra-iii';

describe('ingest through the real local S3 and DynamoDB servers', () => {
  let stack: Stack;
  let counting: ReturnType<typeof countingRepository>;
  let ingest: ReturnType<typeof makeIngestHandler>;
  let clock = Date.parse('2025-11-12T08:00:00Z');
  const nextTime = () => {
    clock += 1000;
    return new Date(clock).toISOString();
  };

  /** Puts a return into S3 and delivers its notification to the handler; returns the batch response. */
  async function upload(country: string, name: string, body: string, eventTime = nextTime()) {
    const key = `incoming/${OP}/${country}/${name}`;
    await stack.objects.put(key, body);
    const event = sqsEventOf([
      objectCreated(key, { eventTime, bucket: stack.bucket, size: Buffer.byteLength(body) }),
    ]);
    return { key, eventTime, event, response: await ingest(event) };
  }

  async function rollup() {
    const stored = await storedRollup(stack, OP);
    return stored?.body ? JSON.parse(stored.body) : null;
  }

  beforeAll(async () => {
    stack = await freshStack({ notifications: false });
  });
  afterAll(async () => {
    await stack.dispose();
  });
  beforeEach(() => {
    counting = countingRepository(stack);
    ingest = makeIngestHandler({
      repo: counting.repo,
      objects: stack.objects,
      maxReceives: 5,
      log: () => undefined,
    });
  });

  it('applies an accepted return and shows it in the rollup', async () => {
    await upload(
      'KE',
      'return.csv',
      'date,metric,breakdown,value\n2025-11-12,arrests,,7\n2025-11-13,arrests,,0\n',
    );
    const r = await rollup();
    expect(r.byCountry.KE.arrests).toBe(7);
    expect(r.byCountry.KE.victims_safeguarded).toBeNull();
    expect(r.byDay['2025-11-13'].arrests).toBe(0);
    expect(r.progress.missing).not.toContain('KE');
  });

  it('rejects an invalid return: report stored, raw file kept, no figure changed', async () => {
    const before = await rollup();
    const { key, response } = await upload('GH', 'bad.csv', 'date,metric,value\n2025-11-12,arrests,-3\n');
    expect(response.batchItemFailures).toEqual([]);
    const after = await rollup();
    expect(after?.version ?? 0).toBe(before?.version ?? 0);
    expect(after?.byCountry.GH).toBeUndefined();
    const page = await stack.repo.listSubmissions(OP, 'GH', { limit: 10 });
    const [sub] = page.submissions;
    expect(sub?.status).toBe('rejected');
    const report = await stack.objects.getJson<StoredReport>(sub?.reportKey ?? '');
    expect(report?.report.problems[0]).toMatchObject({
      code: 'bad-value',
      row: 2,
      column: 'value',
      value: '-3',
    });
    const raw = await stack.objects.open(key);
    expect((await readAll(raw.body)).toString()).toBe('date,metric,value\n2025-11-12,arrests,-3\n');
  });

  it('treats a redelivered event as a no-op', async () => {
    const { event } = await upload('SN', 'r.csv', 'date,metric,value\n2025-11-12,arrests,4\n');
    const before = await rollup();
    await ingest(event);
    await ingest(event);
    const after = await rollup();
    expect(after.version).toBe(before.version);
    expect(after.byCountry.SN.arrests).toBe(4);
    expect((await stack.repo.listSubmissions(OP, 'SN', { limit: 10 })).submissions).toHaveLength(1);
  });

  it('keeps the newer return when an older one arrives late', async () => {
    const older = nextTime();
    const newer = nextTime();
    await upload('PE', 'b.csv', 'date,metric,value\n2025-11-12,arrests,20\n', newer);
    await upload('PE', 'a.csv', 'date,metric,value\n2025-11-12,arrests,10\n', older);
    expect((await rollup()).byCountry.PE.arrests).toBe(20);
  });

  it('replaces a country’s figures wholesale with its next return', async () => {
    await upload(
      'CO',
      '1.csv',
      'date,metric,value\n2025-11-12,arrests,5\n2025-11-12,irregular_migrants_detected,9\n',
    );
    await upload('CO', '2.csv', 'date,metric,value\n2025-11-12,arrests,6\n');
    const r = await rollup();
    expect(r.byCountry.CO).toMatchObject({ arrests: 6, irregular_migrants_detected: null });
  });

  it('ignores S3 test events and keys outside incoming/', async () => {
    const response = await ingest(
      sqsEventOf([{ Event: 's3:TestEvent', Service: 'Amazon S3' }, objectCreated('reports/x.json')]),
    );
    expect(response.batchItemFailures).toEqual([]);
  });

  it('fails only the poison message of a batch, and records the failure on the last attempt', async () => {
    const key = `incoming/${OP}/MX/missing-object.csv`; // notified, but never stored
    const event = sqsEventOf(
      [objectCreated(key, { eventTime: nextTime(), bucket: stack.bucket }), 'not json'],
      5,
    );
    const response = await ingest(event);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      event.Records.map((r) => r.messageId).sort(),
    );
    const [sub] = (await stack.repo.listSubmissions(OP, 'MX', { limit: 10 })).submissions;
    expect(sub).toMatchObject({ status: 'failed' });
    expect(sub?.failure).toMatch(/NoSuchKey|does not exist/i);
  });

  it('needs a constant number of DynamoDB requests per accepted upload, whatever its size', async () => {
    const rows = (n: number) =>
      Array.from(
        { length: n },
        (_, i) =>
          `2025-11-${String(10 + (i % 12)).padStart(2, '0')},${['arrests', 'irregular_migrants_detected', 'investigations_opened'][Math.floor(i / 12)]},${i}`,
      );
    counting.reset();
    await upload('ZA', 'small.csv', `date,metric,value\n${rows(10).join('\n')}\n`);
    const small = counting.requests();
    counting.reset();
    await upload('ZA', 'large.csv', `date,metric,value\n${rows(36).join('\n')}\n`);
    const large = counting.requests();
    // Operation, start, country, apply, finish; the refresh reads the operation again (a definition
    // may have changed since the batch began), queries the countries, moves the rollup's head and
    // records the version in its history (the body goes to S3).
    expect(small).toBeLessThanOrEqual(9);
    expect(large).toBe(small);
  });
});
