import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStore } from '../../shared/adapters/objects.ts';

/**
 * A body cut short after the headers (a reset connection; the local S3 server does it to a read
 * whose object is being rewritten) is read again: the SDK retries requests, not body reads. The
 * server here answers GetObject like S3, cutting the first `cuts` bodies half way.
 */
describe('reading an object whose body is cut short', () => {
  const body = Buffer.from('{"version":7,"totals":{"arrests":3744}}');
  let server: Server;
  let requests = 0;
  let cuts = 0;
  let store: ObjectStore;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      if (cuts > 0) {
        cuts--;
        res.write(body.subarray(0, 10));
        setTimeout(() => req.socket.destroy(), 20);
      } else res.end(body);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    store = new ObjectStore(s3, 'bucket');
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
  });

  it('reads it again and gives the whole body', async () => {
    requests = 0;
    cuts = 2;
    const bytes = await store.getBytes('rollups/op/0000000000000007.json.gz');
    expect(Buffer.from(bytes ?? []).equals(body)).toBe(true);
    expect(requests).toBe(3);
  });

  it('gives up after three reads, with the error', async () => {
    requests = 0;
    cuts = 3;
    await expect(store.getBytes('rollups/op/0000000000000007.json.gz')).rejects.toThrow();
    expect(requests).toBe(3);
  });
});
