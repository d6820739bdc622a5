import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3rverEvent } from '../../local/s3-notifications.ts';
import {
  type StorageServers,
  startStorageProcess,
  startStorageServers,
} from '../../local/storage-servers.ts';
import { s3Client } from '../../shared/adapters/aws-clients.ts';

// `npm start` runs s3rver and dynalite each in a child process of its own: the same interface as
// in-process servers — endpoints, object events over IPC, DynamoDB down and up, and a clean stop.
describe('the storage servers in their own processes', () => {
  let dataDir: string;
  let servers: StorageServers;
  const events: S3rverEvent[] = [];
  const dynamo = () =>
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint: servers.dynamodbEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'optally-storage-'));
    servers = await startStorageProcess({ dataDir, bucket: 'optally-local' });
    servers.onObjectEvent((e) => events.push(e));
  });
  afterAll(async () => {
    await servers.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serve S3 on one endpoint and DynamoDB on another, and report object events', async () => {
    expect(servers.s3Endpoint).not.toBe(servers.dynamodbEndpoint);
    const s3 = s3Client({ s3: servers.s3Endpoint });
    await s3.send(new PutObjectCommand({ Bucket: 'optally-local', Key: 'incoming/x/BR/a.csv', Body: 'x' }));
    s3.destroy();
    await expect
      .poll(() => events.flatMap((e) => e.Records.map((r) => r.s3.object.key)))
      .toContain('incoming/x/BR/a.csv');
    const db = dynamo();
    expect((await db.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    db.destroy();
  });

  it('take DynamoDB down and bring it back on the same endpoint, S3 untouched', async () => {
    const db = dynamo();
    await servers.stopDynamo();
    await expect(db.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'x' } } }))).rejects.toThrow();
    const s3 = s3Client({ s3: servers.s3Endpoint });
    await s3.send(new PutObjectCommand({ Bucket: 'optally-local', Key: 'incoming/x/BR/b.csv', Body: 'y' }));
    s3.destroy();
    await servers.startDynamo();
    expect((await db.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    db.destroy();
  });
});

describe('the DynamoDB-API server, when a client goes away mid-request', () => {
  let dataDir: string;
  let servers: StorageServers;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'optally-storage-'));
    servers = await startStorageServers({ dataDir, bucket: 'optally-local' });
  });
  afterAll(async () => {
    await servers.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps serving (dynalite would throw the aborted request as an uncaught exception)', async () => {
    const { port, hostname } = new URL(servers.dynamodbEndpoint);
    await new Promise<void>((ok) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(
          'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n' +
            'X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 100\r\n\r\n{"Limit":',
        );
        setTimeout(() => {
          socket.destroy();
          setTimeout(ok, 200);
        }, 50);
      });
    });
    const db = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: servers.dynamodbEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    expect((await db.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    db.destroy();
  });
});
