import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../../shared/adapters/aws-clients.ts';
import { parseS3Notification } from '../../shared/domain/uploads.ts';
import { freshStack, readAll } from '../support/local-servers.ts';

describe('the local S3-API server, through the AWS SDK', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  beforeAll(async () => {
    stack = await freshStack({ notifications: false });
  });
  afterAll(async () => {
    await stack.dispose();
  });

  it('stores exactly the bytes of a streamed upload (no aws-chunked framing)', async () => {
    const s3 = s3Client({ s3: stack.s3Endpoint });
    const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 256));
    await s3.send(
      new PutObjectCommand({
        Bucket: stack.bucket,
        Key: 'incoming/x/BR/streamed.bin',
        Body: Readable.from([bytes.subarray(0, 70_000), bytes.subarray(70_000)]),
        ContentLength: bytes.length,
      }),
    );
    const out = await s3.send(
      new GetObjectCommand({ Bucket: stack.bucket, Key: 'incoming/x/BR/streamed.bin' }),
    );
    expect((await readAll(out.Body as AsyncIterable<Uint8Array>)).equals(bytes)).toBe(true);
    s3.destroy();
  });
});

describe('S3 notifications built by the local stack', () => {
  it('carry the key URL-encoded as real S3 does, and decode back to the stored key', async () => {
    const stack = await freshStack();
    try {
      const key = 'incoming/liberterra-iii/BR/national return (día 3)+final.csv';
      const sent: string[] = [];
      const original = stack.queue.send.bind(stack.queue);
      stack.queue.send = async (body: string) => {
        sent.push(body);
        return original(body);
      };
      await stack.putReturn(key, 'date,metric,value\n2025-11-12,arrests,1\n');
      await stack.settled();
      const [body] = sent;
      const raw = JSON.parse(body ?? '{}').Records[0].s3.object.key as string;
      expect(raw).toBe('incoming/liberterra-iii/BR/national+return+%28d%C3%ADa+3%29%2Bfinal.csv');
      expect(parseS3Notification(body ?? '').records[0]?.key).toBe(key);
    } finally {
      await stack.dispose();
    }
  });
});
