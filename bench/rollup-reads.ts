import { Agent, request } from 'node:http';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type StackProcess, stackDocumentClient } from './stack-process.ts';

/** One closed-loop load run: `connections` clients, each sending its next request on an answer. */
export type LoadRun = {
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  /** Answers by HTTP status (the bare store loop counts its answers under 200). */
  byStatus: Record<string, number>;
  errors: number;
  p50Ms: number;
  p99Ms: number;
};

export type RollupReadsResult = {
  /** GET /operations/{op}/rollup through the gateway, clients sending If-None-Match (nothing changes). */
  api304: LoadRun & { share304: number };
  /** The same route without If-None-Match: every answer is the full rollup. */
  api200: LoadRun;
  /** A bare strongly consistent GetItem of the ROLLUP head (≈ 250 B) on the same DynamoDB server, same connections. */
  getItem: LoadRun;
  /** The same of a 47 KiB item: the rollup item as it was before the bodies moved to S3 (issue 13's baseline). */
  getItem47KiB: LoadRun;
  /** api304 requests/s ÷ getItem47KiB requests/s (issue 13's definition; target ≥ 1.5). */
  ratio: number;
  /** api304 requests/s ÷ getItem requests/s (the head alone). */
  ratioToHeadGetItem: number;
  /**
   * DynamoDB read units the stack consumed during the 304 run ÷ the 304s answered, as DynamoDB
   * (dynalite) reported them with `ReturnConsumedCapacity` on every request; target ≤ 1.
   */
  readUnitsPer304: number;
  /** The stack's DynamoDB requests during the 304 run, by command. */
  requestsDuring304: Record<string, number>;
  rollupBytes: number;
};

/**
 * Rollup reads through the local API under `connections` concurrent keep-alive connections for
 * `seconds`, against a bare GetItem loop (the AWS SDK, same concurrency) on the same store.
 */
export async function measureRollupReads(
  stack: StackProcess,
  operation: string,
  connections = 50,
  seconds = 10,
): Promise<RollupReadsResult> {
  const url = new URL(`${stack.apiUrl}/operations/${operation}/rollup`);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const get = (etag: string | null) =>
    new Promise<{ status: number; etag: string | null; bytes: number }>((ok, fail) => {
      const req = request(
        url,
        {
          agent,
          headers: {
            authorization: `Bearer ${stack.coordinator}`,
            ...(etag ? { 'if-none-match': etag } : {}),
          },
        },
        (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
          });
          res.on('end', () =>
            ok({ status: res.statusCode ?? 0, etag: (res.headers.etag as string) ?? null, bytes }),
          );
          res.on('error', fail);
        },
      );
      req.on('error', fail);
      req.end();
    });
  try {
    const first = await get(null);
    if (first.status !== 200 || !first.etag) throw new Error(`GET ${url.pathname} answered ${first.status}`);
    const etag = first.etag;
    // Warm-up: connections opened, code paths compiled.
    await load(connections, 1, async () => (await get(etag)).status);
    await stack.takeDynamoUsage();
    const api304 = await load(connections, seconds, async () => (await get(etag)).status);
    const usage304 = await stack.takeDynamoUsage();
    const api200 = await load(connections, seconds / 2, async () => (await get(null)).status);

    const db = stackDocumentClient(stack);
    const getItem = (key: Record<string, string>) => async () => {
      const { Item } = await db.send(
        new GetCommand({ TableName: stack.table, Key: key, ConsistentRead: true }),
      );
      if (!Item) throw new Error(`no item ${JSON.stringify(key)}`);
      return 200;
    };
    const head = getItem({ pk: `OP#${operation}`, sk: 'ROLLUP' });
    await load(connections, 1, head);
    const bare = await load(connections, seconds, head);
    // The baseline issue 13 names: the 47 KiB rollup item every poll read before.
    const big = { pk: 'BENCH', sk: 'ROLLUP-47KiB' };
    await db.send(new PutCommand({ TableName: stack.table, Item: { ...big, body: 'x'.repeat(47 * 1024) } }));
    await load(connections, 1, getItem(big));
    const bare47 = await load(connections, seconds, getItem(big));
    await db.send(new DeleteCommand({ TableName: stack.table, Key: big }));
    db.destroy();
    const answered304 = api304.byStatus['304'] ?? 0;
    return {
      api304: { ...api304, share304: answered304 / Math.max(1, api304.requests) },
      api200,
      getItem: bare,
      getItem47KiB: bare47,
      ratio: api304.requestsPerSecond / bare47.requestsPerSecond,
      ratioToHeadGetItem: api304.requestsPerSecond / bare.requestsPerSecond,
      readUnitsPer304: usage304.readUnits / Math.max(1, answered304),
      requestsDuring304: usage304.requests,
      rollupBytes: first.bytes,
    };
  } finally {
    agent.destroy();
  }
}

/** Runs `connections` closed loops of `send` for `seconds`; counts answers, errors and latencies. */
async function load(connections: number, seconds: number, send: () => Promise<number>): Promise<LoadRun> {
  const byStatus: Record<string, number> = {};
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        try {
          const status = await send();
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const requests = latencies.length;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(requests - 1, Math.floor(q * requests))] ?? Number.NaN;
  return {
    connections,
    seconds: elapsed,
    requests,
    requestsPerSecond: requests / elapsed,
    byStatus,
    errors,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}
