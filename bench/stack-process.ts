import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackOptions } from '../local/stack.ts';
import { documentClient, s3Client } from '../shared/adapters/aws-clients.ts';
import { ObjectStore } from '../shared/adapters/objects.ts';

/** What the benchmarks need of a stack running in another process. */
export type StackProcess = {
  apiUrl: string;
  s3Endpoint: string;
  dynamodbEndpoint: string;
  bucket: string;
  table: string;
  /** A coordinator's bearer token. */
  coordinator: string;
  /** This process's client of the stack's S3 API (uploads land through it, as an agency's would). */
  objects: ObjectStore;
  putReturn: (key: string, body: string | Uint8Array) => Promise<void>;
  /**
   * What the stack's handlers asked of DynamoDB since the last call (requests by command, read and
   * write units as DynamoDB reports them: every request asks for `ReturnConsumedCapacity`), and
   * starts counting afresh.
   */
  takeDynamoUsage: () => Promise<DynamoUsage>;
  pid: number;
  /** Stops the stack and removes its data folder. */
  stop: () => Promise<void>;
};

type Ready = Omit<StackProcess, 'objects' | 'putReturn' | 'stop' | 'pid' | 'takeDynamoUsage'>;

/** DynamoDB requests by command and the capacity they consumed. */
export type DynamoUsage = { requests: Record<string, number>; readUnits: number; writeUnits: number };

/** The options a benchmark may pass to the stack process (all JSON). */
export type StackProcessOptions = Pick<StackOptions, 'storageProcess' | 'queue' | 'mail'>;

/**
 * Starts the local stack (as `npm start` runs it: gateway, API, queue, ingest, and the storage
 * servers) in a child process, in a fresh data folder, on free ports. The load generator — the
 * uploads and the HTTP polling of the benchmarks — then runs in this process, as a real client
 * would, instead of sharing the stack's event loop.
 */
export async function startStackProcess(options: StackProcessOptions = {}): Promise<StackProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'optally-bench-'));
  const here = fileURLToPath(import.meta.url);
  const child = fork(here, [], {
    cwd: resolve(here, '..', '..'),
    // OPTALLY_BENCH_CPU_PROF=<folder>: the stack process writes a CPU profile there when it stops.
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.OPTALLY_BENCH_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.OPTALLY_BENCH_CPU_PROF}`]
        : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...process.env,
      OPTALLY_BENCH_STACK: JSON.stringify({ ...options, dataDir }),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  const ready = await new Promise<Ready>((ok, fail) => {
    child.once('message', (m) => ok(m as Ready));
    child.once('exit', (code) =>
      fail(new Error(`the stack process exited (code ${code}) before it was ready`)),
    );
  });
  const s3 = s3Client({ s3: ready.s3Endpoint });
  const objects = new ObjectStore(s3, ready.bucket);
  return {
    ...ready,
    objects,
    putReturn: (key, body) => objects.put(key, body),
    takeDynamoUsage: () =>
      new Promise<DynamoUsage>((ok) => {
        const answer = (m: unknown) => {
          if (typeof m !== 'object' || m === null || !('usage' in m)) return;
          child.off('message', answer);
          ok((m as { usage: DynamoUsage }).usage);
        };
        child.on('message', answer);
        child.send('usage');
      }),
    pid: child.pid ?? 0,
    stop: async () => {
      s3.destroy();
      const exited = new Promise((ok) => child.once('exit', ok));
      child.send('stop');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A DynamoDB document client of the stack process's DynamoDB API (for the bare-store baselines). */
export function stackDocumentClient(stack: Pick<StackProcess, 'dynamodbEndpoint'>) {
  return documentClient({ dynamodb: stack.dynamodbEndpoint });
}

/**
 * A poll's read, counted apart from the ingest's requests: a GetItem of the rollup head (which
 * carries the operation's status), or the BatchGetItem of the head and the operation record for a
 * head without that copy. The ingest reads the head only when a refresh finds itself stale.
 */
export function isPollRead(command: string | undefined, input: unknown): boolean {
  if (command === 'GetItemCommand') return (input as { Key?: { sk?: unknown } }).Key?.sk === 'ROLLUP';
  return command === 'BatchGetItemCommand' && JSON.stringify(input).includes('"ROLLUP"');
}

type Capacity = { CapacityUnits?: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };

/** The stack process itself (run by `startStackProcess`). */
async function serve(): Promise<void> {
  const { startLocalStack } = await import('../local/stack.ts');
  const options = JSON.parse(process.env.OPTALLY_BENCH_STACK ?? '{}') as StackProcessOptions & {
    dataDir: string;
  };
  const stack = await startLocalStack({ ...options, port: 0, quiet: true, buildWeb: false });
  let usage: DynamoUsage = { requests: {}, readUnits: 0, writeUnits: 0 };
  stack.repo.db.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const out = await next(args);
      const name = isPollRead(context.commandName, args.input) ? 'poll' : (context.commandName ?? 'unknown');
      usage.requests[name] = (usage.requests[name] ?? 0) + 1;
      const consumed = (out.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
      for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
        usage.readUnits +=
          c.ReadCapacityUnits ?? (/Get|Query|Scan|poll/.test(name) ? (c.CapacityUnits ?? 0) : 0);
        usage.writeUnits +=
          c.WriteCapacityUnits ?? (/Get|Query|Scan/.test(name) ? 0 : (c.CapacityUnits ?? 0));
      }
      return out;
    },
    { step: 'initialize', name: 'benchDynamoUsage' },
  );
  process.on('message', async (m) => {
    if (m === 'usage') {
      process.send?.({ usage });
      usage = { requests: {}, readUnits: 0, writeUnits: 0 };
      return;
    }
    if (m !== 'stop') return;
    await stack.stop();
    process.exit(0);
  });
  // The benchmark went away without stopping us: stop too.
  process.on('disconnect', () => void stack.stop().finally(() => process.exit(0)));
  process.send?.({
    apiUrl: stack.apiUrl,
    s3Endpoint: stack.s3Endpoint,
    dynamodbEndpoint: stack.dynamodbEndpoint,
    bucket: stack.bucket,
    table: stack.table,
    coordinator: stack.tokens.coordinator,
  } satisfies Ready);
}

if (process.env.OPTALLY_BENCH_STACK && process.argv[1] === fileURLToPath(import.meta.url)) {
  await serve();
}
