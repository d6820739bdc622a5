import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
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

/** One of the two servers: what it offers of `StorageServers`. */
type S3Server = Pick<StorageServers, 's3Endpoint' | 'onObjectEvent' | 'close'>;
type DynamoServer = Pick<StorageServers, 'dynamodbEndpoint' | 'stopDynamo' | 'startDynamo' | 'close'>;
type Which = 's3' | 'dynamodb';

/** Starts dynalite in this process. */
async function startDynamoServer(o: StorageOptions): Promise<DynamoServer> {
  await mkdir(join(o.dataDir, 'dynamodb'), { recursive: true });
  const dynamo = dynalite({
    path: join(o.dataDir, 'dynamodb'),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  // A request cut mid-body (stopDynamo cuts the connections still busy after 2 s; a client gives
  // up) makes its request stream emit 'error' (aborted), and dynalite's listener throws it: an
  // uncaught exception in the process serving it. Its listener is replaced (this one runs after
  // dynalite's own handler attached it); the client sees a lost connection and retries.
  dynamo.on('request', (req: IncomingMessage) => {
    req.removeAllListeners('error');
    req.on('error', () => undefined);
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
  return {
    dynamodbEndpoint: `http://127.0.0.1:${dynamoPort}`,
    stopDynamo,
    startDynamo: async () => {
      if (dynamoUp) return;
      // dynalite reopens its store on the same data folder when it listens again.
      await listen(dynamoPort);
      dynamoUp = true;
    },
    // As before the fault hooks: a failing dynalite shutdown does not fail the stack's stop.
    close: () => stopDynamo().catch(() => undefined),
  };
}

/** Starts s3rver in this process. */
async function startS3Server(o: StorageOptions): Promise<S3Server> {
  await mkdir(join(o.dataDir, 's3'), { recursive: true });
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
    onObjectEvent: (listener) => {
      s3rver.on('event', listener);
    },
    close: () => s3rver.close(),
  };
}

/** Starts s3rver and dynalite in this process. */
export async function startStorageServers(o: StorageOptions): Promise<StorageServers> {
  const dynamo = await startDynamoServer(o);
  const s3 = await startS3Server(o);
  return {
    ...dynamo,
    ...s3,
    close: async () => {
      await s3.close();
      await dynamo.close();
    },
  };
}

/** Messages between the stack and a storage process. */
type Command = { id: number; command: 'stop-dynamo' | 'start-dynamo' | 'close' };
type Reply =
  | { kind: 'ready'; endpoint: string }
  | { kind: 'failed'; error: string }
  | { kind: 'event'; event: S3rverEvent }
  | { kind: 'done'; id: number; error?: string };

/**
 * Starts s3rver and dynalite each in a child process of its own, so that on a machine with two
 * cores neither the handlers nor the other server share their event loop: in a burst of uploads
 * s3rver's file I/O and dynalite's LevelDB reads run side by side. Same interface as
 * `startStorageServers`; object events come over IPC. The children exit when this process goes.
 */
export async function startStorageProcess(o: StorageOptions): Promise<StorageServers> {
  const [s3, dynamo] = await Promise.all([storageChild(o, 's3'), storageChild(o, 'dynamodb')]);
  return {
    s3Endpoint: s3.endpoint,
    dynamodbEndpoint: dynamo.endpoint,
    onObjectEvent: (listener) => s3.listeners.push(listener),
    stopDynamo: () => dynamo.send('stop-dynamo'),
    startDynamo: () => dynamo.send('start-dynamo'),
    close: async () => {
      await Promise.all([s3.close(), dynamo.close()]);
    },
  };
}

/** One server in a child process: its endpoint, its object events, and its commands. */
async function storageChild(o: StorageOptions, which: Which) {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [JSON.stringify(o), which], {
    cwd: resolve(fileURLToPath(import.meta.url), '..', '..'),
    // OPTALLY_BENCH_CPU_PROF=<folder> (the benchmarks): the servers write CPU profiles there too.
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.OPTALLY_BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.OPTALLY_BENCH_CPU_PROF}`]
        : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, OPTALLY_STORAGE_PROCESS: '1' },
  });
  const listeners: ((event: S3rverEvent) => void)[] = [];
  const pending = new Map<number, { ok: () => void; fail: (e: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<string>((ok, fail) => {
    child.on('message', (reply: Reply) => {
      if (reply.kind === 'ready') ok(reply.endpoint);
      else if (reply.kind === 'failed')
        fail(new Error(`the ${which} process failed to start: ${reply.error}`));
      else if (reply.kind === 'event') for (const listener of listeners) listener(reply.event);
      else {
        const waiter = pending.get(reply.id);
        pending.delete(reply.id);
        if (reply.error) waiter?.fail(new Error(reply.error));
        else waiter?.ok();
      }
    });
    child.once('exit', (code) => {
      fail(new Error(`the ${which} process exited (code ${code}) before it was ready`));
      for (const waiter of pending.values()) waiter.fail(new Error(`the ${which} process exited`));
      pending.clear();
    });
  });
  const send = (command: Command['command']) =>
    new Promise<void>((ok, fail) => {
      const id = nextId++;
      pending.set(id, { ok, fail });
      child.send({ id, command } satisfies Command);
    });
  const endpoint = await ready;
  return {
    endpoint,
    listeners,
    send,
    close: async () => {
      const exited = new Promise((ok) => child.once('exit', ok));
      await send('close').catch(() => undefined);
      await exited;
    },
  };
}

/** A storage process itself: run by `startStorageProcess`, serving one of the two servers. */
async function serve(options: StorageOptions, which: Which): Promise<void> {
  const reply = (r: Reply) => process.send?.(r);
  let server: S3Server | DynamoServer;
  try {
    server = which === 's3' ? await startS3Server(options) : await startDynamoServer(options);
  } catch (e) {
    reply({ kind: 'failed', error: String(e) });
    process.exit(1);
  }
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= server.close();
    return closing;
  };
  if ('onObjectEvent' in server) server.onObjectEvent((event) => reply({ kind: 'event', event }));
  process.on('message', async ({ id, command }: Command) => {
    try {
      if (command === 'close') await close();
      else if (!('stopDynamo' in server)) throw new Error(`${command}: not the DynamoDB process`);
      else if (command === 'stop-dynamo') await server.stopDynamo();
      else await server.startDynamo();
      reply({ kind: 'done', id });
    } catch (e) {
      reply({ kind: 'done', id, error: String(e) });
    }
    // Closed: with the server and the IPC channel gone, nothing keeps the process alive.
    if (command === 'close') process.disconnect();
  });
  // The stack went away without closing us: stop too.
  process.on('disconnect', () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  reply({
    kind: 'ready',
    endpoint: 's3Endpoint' in server ? server.s3Endpoint : server.dynamodbEndpoint,
  });
}

if (process.env.OPTALLY_STORAGE_PROCESS === '1' && process.argv[1] === fileURLToPath(import.meta.url)) {
  await serve(
    JSON.parse(process.argv[2] ?? '{}') as StorageOptions,
    process.argv[3] === 's3' ? 's3' : 'dynamodb',
  );
}
