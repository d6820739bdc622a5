import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { objectCreated, sqsEventOf } from '../events/load-event.ts';
import { makeIngestHandler } from '../functions/ingest/ingest.ts';
import type { LocalStack } from '../local/stack.ts';
import type { Operation } from '../shared/domain/operation.ts';
import { countingRepository, defineOn } from '../test/support/local-servers.ts';
import { syntheticOperation, syntheticReturn } from './synthetic.ts';

export type RequestsResult = { rows: number; optally: number; naive: number | null; ingestMs: number };

/**
 * DynamoDB requests per accepted upload, counted on the wire by client middleware, against the
 * naive writer of the common S3 → Lambda → DynamoDB samples (one UpdateItem per row).
 */
export async function measureRequests(
  stack: LocalStack,
  sizes: readonly number[],
  naiveUpTo: number,
): Promise<RequestsResult[]> {
  const op = syntheticOperation('bench-requests', { days: 10, metrics: 10, units: 1000 });
  await defineOn(stack, op);
  const counting = countingRepository(stack);
  const ingest = makeIngestHandler({
    repo: counting.repo,
    objects: stack.objects,
    maxReceives: 5,
    log: () => undefined,
  });
  const results: RequestsResult[] = [];
  let t = Date.parse('2025-06-01T00:00:00Z');
  for (const rows of sizes) {
    const body = syntheticReturn(op, rows);
    const key = `incoming/${op.id}/BR/${rows}.csv`;
    await stack.objects.put(key, body);
    t += 1000;
    counting.reset();
    const started = performance.now();
    const out = await ingest(
      sqsEventOf([objectCreated(key, { eventTime: new Date(t).toISOString(), bucket: stack.bucket })]),
    );
    const ingestMs = performance.now() - started;
    if (out.batchItemFailures.length > 0) throw new Error(`the ${rows}-row upload failed`);
    const optally = counting.requests();
    const naive = rows <= naiveUpTo ? await naiveWriter(stack, op, body) : null;
    results.push({ rows, optally, naive, ingestMs });
  }
  return results;
}

/** One UpdateItem per row, as the per-record samples do; returns the requests it needed. */
async function naiveWriter(stack: LocalStack, op: Operation, csv: string): Promise<number> {
  const counting = countingRepository(stack);
  for (const line of csv.trim().split('\n').slice(1)) {
    const [date, metric, breakdown, value] = line.split(',');
    await counting.repo.db.send(
      new UpdateCommand({
        TableName: stack.table,
        Key: { pk: `NAIVE#${op.id}#BR`, sk: `${date}|${metric}|${breakdown}` },
        UpdateExpression: 'SET #v = :v',
        ExpressionAttributeNames: { '#v': 'value' },
        ExpressionAttributeValues: { ':v': Number(value) },
      }),
    );
  }
  return counting.requests();
}
