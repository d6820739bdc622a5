import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
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

describe('the local S3-API server keeps every file where its key says, once', () => {
  let stack: Awaited<ReturnType<typeof freshStack>>;
  let s3: ReturnType<typeof s3Client>;
  beforeAll(async () => {
    stack = await freshStack({ notifications: false });
    s3 = s3Client({ s3: stack.s3Endpoint });
  });
  afterAll(async () => {
    s3.destroy();
    await stack.dispose();
  });

  /** A browser-style form upload: a multipart POST to the bucket, the key in a form field. */
  const postForm = async (key: string, content: string): Promise<{ status: number; body: string }> => {
    const form = new FormData();
    form.append('key', key);
    form.append('file', new Blob([content], { type: 'text/csv' }), 'return.csv');
    const res = await fetch(`${stack.s3Endpoint}/${stack.bucket}`, { method: 'POST', body: form });
    return { status: res.status, body: await res.text() };
  };
  const put = (key: string, body: string) =>
    s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body }));
  /** The stored text at `key`, or null when nothing is stored there. */
  const stored = async (key: string): Promise<string | null> => {
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
      return (await readAll(out.Body as AsyncIterable<Uint8Array>)).toString('utf8');
    } catch (e) {
      if (e instanceof S3ServiceException && e.$metadata.httpStatusCode === 404) return null;
      throw e;
    }
  };
  const SLOT_REFUSAL =
    'slot-already-used: this upload slot already holds a file; ask for a new upload slot (POST /operations/{op}/uploads).';

  it('refuses a form upload whose key field has a ".." segment, storing nothing', async () => {
    const { status, body } = await postForm('incoming/x/BR/../FR/form.csv', 'evil');

    expect(status).toBe(400);
    expect(body).toContain('<Code>InvalidArgument</Code>');
    expect(await stored('incoming/x/FR/form.csv')).toBeNull();
  });

  it('refuses a form upload whose key field has a "." segment or one over 255 bytes', async () => {
    expect((await postForm('incoming/x/BR/./dot.csv', 'x')).status).toBe(400);
    expect((await postForm(`incoming/x/BR/${'é'.repeat(128)}.csv`, 'x')).status).toBe(400);
  });

  it('refuses a second PUT to an upload slot with 409 SlotAlreadyUsed, keeping the first file', async () => {
    const key = 'incoming/x/BR/u000000001-0a1b2c3d/return.csv';
    await put(key, 'first');

    const second = await put(key, 'second').then(
      () => null,
      (e: unknown) => e as S3ServiceException,
    );

    expect(second?.$metadata.httpStatusCode).toBe(409);
    expect(second?.name).toBe('SlotAlreadyUsed');
    expect(second?.message).toBe(SLOT_REFUSAL);
    expect(await stored(key)).toBe('first');
  });

  it('refuses a second form upload to an upload slot with 409 SlotAlreadyUsed, keeping the first file', async () => {
    const key = 'incoming/x/BR/u000000002-0a1b2c3d/return.csv';
    expect((await postForm(key, 'first')).status).toBe(204);

    const second = await postForm(key, 'second');

    expect(second.status).toBe(409);
    expect(second.body).toContain('<Code>SlotAlreadyUsed</Code>');
    expect(second.body).toContain(`<Message>${SLOT_REFUSAL}</Message>`);
    expect(await stored(key)).toBe('first');
  });

  it('refuses a second upload to a slot by the other route too (PUT, then form)', async () => {
    const key = 'incoming/x/BR/u000000003-0a1b2c3d/return.csv';
    await put(key, 'first');

    expect((await postForm(key, 'second')).status).toBe(409);
    expect(await stored(key)).toBe('first');
  });

  it('still lets a key that is no upload slot be written again', async () => {
    const key = 'incoming/x/BR/plain.csv';
    await put(key, 'first');

    await put(key, 'second');

    expect(await stored(key)).toBe('second');
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
