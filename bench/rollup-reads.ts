import { Agent, request } from 'node:http';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
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
  /** A bare GetItem of the ROLLUP item on the same DynamoDB server, same connections. */
  getItem: LoadRun;
  /** api304 requests/s ÷ getItem requests/s. */
  ratio: number;
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
    const api304 = await load(connections, seconds, async () => (await get(etag)).status);
    const api200 = await load(connections, seconds / 2, async () => (await get(null)).status);

    const db = stackDocumentClient(stack);
    const key = { pk: `OP#${operation}`, sk: 'ROLLUP' };
    const getItem = async () => {
      const { Item } = await db.send(
        new GetCommand({ TableName: stack.table, Key: key, ConsistentRead: true }),
      );
      if (!Item) throw new Error('no rollup item');
      return 200;
    };
    await load(connections, 1, getItem);
    const bare = await load(connections, seconds, getItem);
    db.destroy();
    return {
      api304: { ...api304, share304: (api304.byStatus['304'] ?? 0) / Math.max(1, api304.requests) },
      api200,
      getItem: bare,
      ratio: api304.requestsPerSecond / bare.requestsPerSecond,
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
