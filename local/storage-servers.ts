import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { guardStore, refuseUnstorableKeys } from './s3-key-guard.ts';
import type { S3rverEvent } from './s3-notifications.ts';

/** Where the storage servers keep their data and listen. */
export type StorageOptions = {
  dataDir: string;
  bucket: string;
  s3Port?: number | undefined;
  dynamodbPort?: number | undefined;
};

/**
 * The local S3-API (s3rver) and DynamoDB-API (dynalite) servers, on 127.0.0.1, with their data
 * under `dataDir`. `stopDynamo` / `startDynamo` take the DynamoDB server down and bring it back
 * on the same port and data (fault tests); requests in flight meanwhile fail as on a lost
 * connection.
 */
export type StorageServers = {
  s3Endpoint: string;
  dynamodbEndpoint: string;
  /** Called for every object event s3rver emits (the local stack turns them into S3 notifications). */
  onObjectEvent: (listener: (event: S3rverEvent) => void) => void;
  stopDynamo: () => Promise<void>;
  startDynamo: () => Promise<void>;
  close: () => Promise<void>;
};

/** Starts s3rver and dynalite in this process. */
export async function startStorageServers(o: StorageOptions): Promise<StorageServers> {
  await mkdir(join(o.dataDir, 's3'), { recursive: true });
  await mkdir(join(o.dataDir, 'dynamodb'), { recursive: true });
  const dynamo = dynalite({
    path: join(o.dataDir, 'dynamodb'),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const listen = (port: number) =>
    new Promise<void>((ok, fail) => dynamo.listen(port, '127.0.0.1', (e?: Error) => (e ? fail(e) : ok())));
  await listen(o.dynamodbPort ?? 0);
  const dynamoPort = (dynamo.address() as AddressInfo).port;
  let dynamoUp = true;
  const stopDynamo = async (): Promise<void> => {
    if (!dynamoUp) return;
    dynamoUp = false;
    // New connections are refused at once. dynalite closes its LevelDB store once every connection
    // has closed: keep-alive connections are closed as soon as their request in flight is answered
    // (cutting one mid-request makes dynalite read a closed store and throw, uncaught), and any
    // still open after 2 s are cut.
    const closed = new Promise<void>((ok, fail) => dynamo.close((e?: Error) => (e ? fail(e) : ok())));
    const idle = setInterval(() => dynamo.closeIdleConnections(), 20);
    const cut = setTimeout(() => dynamo.closeAllConnections(), 2_000);
    try {
      await closed;
    } finally {
      clearInterval(idle);
      clearTimeout(cut);
    }
  };

  const s3rver = new S3rver({
    address: '127.0.0.1',
    port: o.s3Port ?? 0,
    directory: join(o.dataDir, 's3'),
    silent: true,
    configureBuckets: existsSync(join(o.dataDir, 's3', o.bucket)) ? [] : [{ name: o.bucket }],
  });
  // Before s3rver's own middleware: keys its file store cannot hold faithfully are refused, and
  // so is a second file at an upload slot's key (s3rver keeps one version per key).
  (s3rver as unknown as { middleware: unknown[] }).middleware.unshift(refuseUnstorableKeys);
  guardStore((s3rver as unknown as { store: Parameters<typeof guardStore>[0] }).store);
  const s3Address = (await s3rver.run()) as AddressInfo;

  return {
    s3Endpoint: `http://127.0.0.1:${s3Address.port}`,
    dynamodbEndpoint: `http://127.0.0.1:${dynamoPort}`,
    onObjectEvent: (listener) => {
      s3rver.on('event', listener);
    },
    stopDynamo,
    startDynamo: async () => {
      if (dynamoUp) return;
      // dynalite reopens its store on the same data folder when it listens again.
      await listen(dynamoPort);
      dynamoUp = true;
    },
    close: async () => {
      await s3rver.close();
      // As before the fault hooks: a failing dynalite shutdown does not fail the stack's stop.
      await stopDynamo().catch(() => undefined);
    },
  };
}

/** Messages between the stack and a storage process. */
type Command = { id: number; command: 'stop-dynamo' | 'start-dynamo' | 'close' };
type Reply =
  | { kind: 'ready'; s3Endpoint: string; dynamodbEndpoint: string }
  | { kind: 'failed'; error: string }
  | { kind: 'event'; event: S3rverEvent }
  | { kind: 'done'; id: number; error?: string };

/**
 * Starts s3rver and dynalite in a child process of their own, so that on a machine with two
 * cores the servers and the handlers do not share one event loop (the storage servers' share of
 * an upload's CPU time is about half). Same interface as `startStorageServers`; object events
 * come over IPC. The child exits when this process goes.
 */
export async function startStorageProcess(o: StorageOptions): Promise<StorageServers> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [JSON.stringify(o)], {
    cwd: resolve(fileURLToPath(import.meta.url), '..', '..'),
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, OPTALLY_STORAGE_PROCESS: '1' },
  });
  const listeners: ((event: S3rverEvent) => void)[] = [];
  const pending = new Map<number, { ok: () => void; fail: (e: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<{ s3Endpoint: string; dynamodbEndpoint: string }>((ok, fail) => {
    child.on('message', (reply: Reply) => {
      if (reply.kind === 'ready') ok(reply);
      else if (reply.kind === 'failed')
        fail(new Error(`the storage process failed to start: ${reply.error}`));
      else if (reply.kind === 'event') for (const listener of listeners) listener(reply.event);
      else {
        const waiter = pending.get(reply.id);
        pending.delete(reply.id);
        if (reply.error) waiter?.fail(new Error(reply.error));
        else waiter?.ok();
      }
    });
    child.once('exit', (code) => {
      fail(new Error(`the storage process exited (code ${code}) before it was ready`));
      for (const waiter of pending.values()) waiter.fail(new Error('the storage process exited'));
      pending.clear();
    });
  });
  const send = (command: Command['command']) =>
    new Promise<void>((ok, fail) => {
      const id = nextId++;
      pending.set(id, { ok, fail });
      child.send({ id, command } satisfies Command);
    });
  const endpoints = await ready;
  return {
    ...endpoints,
    onObjectEvent: (listener) => {
      listeners.push(listener);
    },
    stopDynamo: () => send('stop-dynamo'),
    startDynamo: () => send('start-dynamo'),
    close: async () => {
      const exited = new Promise((ok) => child.once('exit', ok));
      await send('close').catch(() => undefined);
      await exited;
    },
  };
}

/** The storage process itself: run by `startStorageProcess`. */
async function serve(options: StorageOptions): Promise<void> {
  const reply = (r: Reply) => process.send?.(r);
  let servers: StorageServers;
  try {
    servers = await startStorageServers(options);
  } catch (e) {
    reply({ kind: 'failed', error: String(e) });
    process.exit(1);
  }
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= servers.close();
    return closing;
  };
  servers.onObjectEvent((event) => reply({ kind: 'event', event }));
  process.on('message', async ({ id, command }: Command) => {
    try {
      if (command === 'stop-dynamo') await servers.stopDynamo();
      else if (command === 'start-dynamo') await servers.startDynamo();
      else await close();
      reply({ kind: 'done', id });
    } catch (e) {
      reply({ kind: 'done', id, error: String(e) });
    }
    // Closed: with the servers and the IPC channel gone, nothing keeps the process alive.
    if (command === 'close') process.disconnect();
  });
  // The stack went away without closing us: stop too.
  process.on('disconnect', () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  reply({ kind: 'ready', s3Endpoint: servers.s3Endpoint, dynamodbEndpoint: servers.dynamodbEndpoint });
}

if (process.env.OPTALLY_STORAGE_PROCESS === '1' && process.argv[1] === fileURLToPath(import.meta.url)) {
  await serve(JSON.parse(process.argv[2] ?? '{}') as StorageOptions);
}
