import { gunzipSync } from 'node:zlib';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../../shared/adapters/aws-clients.ts';
import { ObjectStore } from '../../shared/adapters/objects.ts';
import { changeStatus } from '../../shared/app/change-status.ts';
import { readRollup, readRollupAsOf, readRollupHistory, storedRollup } from '../../shared/app/read-rollup.ts';
import { refreshRollup } from '../../shared/app/refresh-rollup.ts';
import type { DefinitionChange } from '../../shared/domain/ledger.ts';
import { rollupBodyKey } from '../../shared/domain/object-keys.ts';
import type { Operation } from '../../shared/domain/operation.ts';
import type { Rollup } from '../../shared/domain/rollup.ts';
import { anOperation } from '../support/builders.ts';
import { aSigner, countingRepository, defineOn, freshStack } from '../support/local-servers.ts';

type Stack = Awaited<ReturnType<typeof freshStack>>;

/** An S3 store on the stack's bucket whose client counts the requests it sends. */
function countingObjects(stack: Stack): { objects: ObjectStore; requests: () => number } {
  const s3 = s3Client({ s3: stack.s3Endpoint });
  let count = 0;
  s3.middlewareStack.add(
    (next) => async (args) => {
      count++;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return { objects: new ObjectStore(s3, stack.bucket), requests: () => count };
}

const at = (iso: string) => () => new Date(iso);
/** A reuse window long enough that a test's reads certainly fall within it. */
const MINUTE = 60_000;

describe('the rollup as immutable bodies in S3 under a small DynamoDB head', () => {
  let stack: Stack;
  let op: Operation;

  beforeAll(async () => {
    stack = await freshStack({ notifications: false });
    op = anOperation({ id: 'timeline-op' });
    await defineOn(stack, op);
  });
  afterAll(async () => {
    await stack.dispose();
  });

  /** Makes `country` report `arrests` (a new revision) and refreshes the rollup at `when`. */
  async function report(country: string, arrests: number, when: string, order: string) {
    await stack.repo.applyCountry(op.id, {
      country,
      figures: { totals: { arrests }, byDay: { '2025-11-10': { arrests } }, byBreakdown: {} },
      submissionId: `${country}-${order}`,
      orderKey: order,
      receivedAt: '2025-11-10T09:00:00.000Z',
      acceptedAt: when,
    });
    return refreshRollup({ repo: stack.repo, objects: stack.objects, now: at(when) }, op.id);
  }

  it('stores each version’s body in S3 under a key naming its version, and only a head in DynamoDB', async () => {
    expect(await report('KE', 7, '2099-11-12T10:00:00.000Z', '2099-11-12T10:00:00.000Z|a')).toBe('written');

    const head = await stack.repo.getRollupHead(op.id);
    expect(head?.key).toBe(rollupBodyKey(op.id, head?.version ?? -1));
    const bytes = await stack.objects.getBytes(head?.key ?? '');
    const body = JSON.parse(gunzipSync(bytes ?? new Uint8Array()).toString('utf8')) as Rollup;
    expect(body.version).toBe(head?.version);
    expect(body.totals.arrests).toBe(7);
    const { Item } = await stack.repo.db.send(
      new GetCommand({ TableName: stack.table, Key: { pk: `OP#${op.id}`, sk: 'ROLLUP' } }),
    );
    expect(Item?.body).toBeUndefined();
    expect(JSON.stringify(Item).length).toBeLessThan(400);
  });

  it('keys bodies so that they sort by version', () => {
    const keys = [1_000_000_009, 1_000_000_010, 2_000_000_001].map((v) => rollupBodyKey('op', v));
    expect([...keys].sort()).toEqual(keys);
  });

  it('never moves the head back to an older version', async () => {
    const before = await stack.repo.getRollupHead(op.id);
    const older = { ...before!, version: (before?.version ?? 0) - 1, at: '2099-11-12T23:00:00.000Z' };

    expect(await stack.repo.putRollupHead(op.id, older)).toBe('stale');

    expect(await stack.repo.getRollupHead(op.id)).toEqual(before);
  });

  it('answers an unchanged rollup 304 from the head alone, and reads a version’s body from S3 once', async () => {
    const { objects, requests } = countingObjects(stack);
    const stores = { repo: stack.repo, objects };

    const first = await readRollup(stores, op.id);
    const again = await readRollup(stores, op.id);
    const unchanged = await readRollup(stores, op.id, first?.etag);

    expect(first?.kind).toBe('rollup');
    expect(again).toEqual(first);
    expect(unchanged).toEqual({ kind: 'not-modified', etag: first?.etag });
    expect(requests()).toBe(1);
  });

  it('serves the status with the body and names version and status in the ETag', async () => {
    const answer = await readRollup(stack, op.id);
    const head = await stack.repo.getRollupHead(op.id);

    expect(answer?.etag).toBe(`"${head?.version}-open"`);
    expect(answer?.kind === 'rollup' && JSON.parse(answer.body).status).toBe('open');
  });

  it('answers the rollup as it stood at a past time, and none before the first', async () => {
    await report('BR', 5, '2099-11-12T11:00:00.000Z', '2099-11-12T11:00:00.000Z|b');
    await report('KE', 9, '2099-11-12T12:00:00.000Z', '2099-11-12T12:00:00.000Z|c');

    const totalAt = async (iso: string) => {
      const answer = await readRollupAsOf(stack, op.id, new Date(iso));
      return typeof answer === 'object' && answer.kind === 'rollup'
        ? (JSON.parse(answer.body) as Rollup).totals.arrests
        : answer;
    };

    expect(await totalAt('2000-01-01T00:00:00Z')).toBe('none-yet');
    expect(await totalAt('2099-11-12T10:30:00Z')).toBe(7);
    expect(await totalAt('2099-11-12T11:00:00Z')).toBe(12);
    expect(await totalAt('2099-11-12T11:59:59.999Z')).toBe(12);
    expect(await totalAt('2100-01-01T00:00:00Z')).toBe(14);
    expect(await readRollupAsOf(stack, 'no-such-op', new Date())).toBe('unknown-operation');
  });

  it('lists the timeline oldest first, page by page, with each version’s time and totals', async () => {
    const all = await readRollupHistory(stack, op.id, { limit: 100 });
    const firstPage = await readRollupHistory(stack, op.id, { limit: 2 });
    const rest = await readRollupHistory(stack, op.id, { limit: 100, cursor: firstPage?.cursor ?? '' });

    const versions = all?.entries.map((e) => e.version) ?? [];
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(all?.entries.slice(-3).map((e) => [e.at, e.totals.arrests, e.reported])).toEqual([
      ['2099-11-12T10:00:00.000Z', 7, 1],
      ['2099-11-12T11:00:00.000Z', 12, 2],
      ['2099-11-12T12:00:00.000Z', 14, 2],
    ]);
    expect([...(firstPage?.entries ?? []), ...(rest?.entries ?? [])]).toEqual(all?.entries);
    expect(all?.cursor).toBeNull();
  });

  it('records the history entry again when a refresh finds its own version current (a crash came between)', async () => {
    await stack.repo.applyCountry(op.id, {
      country: 'FR',
      figures: { totals: { arrests: 1 }, byDay: {}, byBreakdown: {} },
      submissionId: 'FR-1',
      orderKey: '2099-11-12T13:00:00.000Z|d',
      receivedAt: '2025-11-12T09:00:00.000Z',
      acceptedAt: '2099-11-12T13:00:00.000Z',
    });
    // The first refresh stops after moving the head: no history entry for its version.
    const crashing = {
      repo: Object.assign(Object.create(stack.repo) as typeof stack.repo, {
        putRollupHistory: async () => {
          throw new Error('crash');
        },
      }),
      objects: stack.objects,
      now: at('2099-11-12T13:00:00.000Z'),
    };
    await expect(refreshRollup(crashing, op.id)).rejects.toThrow('crash');
    const missing = await readRollupHistory(stack, op.id, { limit: 100 });
    expect(missing?.entries.at(-1)?.totals.arrests).toBe(14);

    expect(
      await refreshRollup(
        { repo: stack.repo, objects: stack.objects, now: at('2099-11-12T13:05:00Z') },
        op.id,
      ),
    ).toBe('stale');

    const repaired = await readRollupHistory(stack, op.id, { limit: 100 });
    expect(repaired?.entries.at(-1)).toMatchObject({
      at: '2099-11-12T13:00:00.000Z',
      totals: { arrests: 15 },
    });
  });

  it('shares one head read among the polls that come together', async () => {
    const counting = countingRepository(stack);
    const stores = { repo: counting.repo, objects: stack.objects };
    const first = await readRollup(stores, op.id, null, MINUTE);
    counting.reset();

    const polls = await Promise.all(
      Array.from({ length: 20 }, () => readRollup(stores, op.id, first?.etag, MINUTE)),
    );

    expect(polls.every((p) => p?.kind === 'not-modified')).toBe(true);
    expect(counting.requests()).toBeLessThanOrEqual(1);
  });

  it('shows a version this process wrote at once, whatever head read it keeps', async () => {
    const before = await readRollup(stack, op.id, null, MINUTE);

    await report('BR', 50, '2099-11-12T14:00:00.000Z', '2099-11-12T14:00:00.000Z|e');
    const after = await readRollup(stack, op.id, null, MINUTE);

    expect(after?.etag).not.toBe(before?.etag);
    expect(after?.kind === 'rollup' && (JSON.parse(after.body) as Rollup).byCountry.BR?.arrests).toBe(50);
  });

  it('never answers older than the client’s copy, even when another process moved the head', async () => {
    const kept = await readRollup(stack, op.id, null, MINUTE);
    const head = await stack.repo.getRollupHead(op.id);
    // Another process (on AWS, the ingest function) moves the head: this process's kept read is older.
    await stack.repo.db.send(
      new PutCommand({
        TableName: stack.table,
        Item: { pk: `OP#${op.id}`, sk: 'ROLLUP', ...head, version: (head?.version ?? 0) + 1 },
      }),
    );
    const newer = `"${(head?.version ?? 0) + 1}-open"`;

    const stale = await readRollup(stack, op.id, null, MINUTE);
    const answer = await readRollup(stack, op.id, newer, MINUTE);

    expect(stale?.etag).toBe(kept?.etag); // a client without a copy may get the kept read
    expect(answer).toEqual({ kind: 'not-modified', etag: newer });
    // Put the head back as the refreshes wrote it.
    await stack.repo.db.send(
      new PutCommand({ TableName: stack.table, Item: { pk: `OP#${op.id}`, sk: 'ROLLUP', ...head } }),
    );
  });

  it('holds an operation of 2,000 reporting units and 20 metrics (no item-size ceiling)', async () => {
    const metrics = Array.from({ length: 20 }, (_, i) => ({
      id: `metric_${i}`,
      label: `Metric ${i}`,
      unit: 'persons',
      aggregation: 'sum' as const,
      breakdowns: [],
    }));
    const units = Array.from({ length: 2_000 }, (_, i) => `U${String(i).padStart(4, '0')}`);
    const big: Operation = {
      ...anOperation({ id: 'big-op' }),
      metrics,
      rules: [],
      participants: units.map((code) => ({ code, name: `Unit ${code}`, region: 'Africa' as const })),
    };
    const change: DefinitionChange = {
      version: 1,
      at: '2025-11-01T00:00:00.000Z',
      by: 'test',
      sha256: 'x',
      changes: ['created'],
    };
    await stack.repo.putDefinition(big, change, 'open');
    const totals = Object.fromEntries(metrics.map((m, i) => [m.id, i]));
    for (let i = 0; i < units.length; i += 50) {
      await Promise.all(
        units.slice(i, i + 50).map((country) =>
          stack.repo.applyCountry(big.id, {
            country,
            figures: { totals, byDay: { '2025-11-10': totals }, byBreakdown: {} },
            submissionId: `${country}-1`,
            orderKey: '1',
            receivedAt: '2025-11-10T09:00:00.000Z',
            acceptedAt: '2025-11-10T09:00:01.000Z',
          }),
        ),
      );
    }

    expect(await refreshRollup(stack, big.id)).toBe('written');

    const stored = await storedRollup(stack, big.id);
    const body = JSON.parse(stored?.body ?? '{}') as Rollup;
    expect(stored?.body?.length).toBeGreaterThan(400_000);
    expect(Object.keys(body.byCountry)).toHaveLength(2_000);
    expect(body.totals.metric_19).toBe(19 * 2_000);
  });
});

describe('the operation’s status in the head: a poll reads one small item', () => {
  let stack: Stack;
  let op: Operation;
  const head = () =>
    stack.repo.db.send(
      new GetCommand({
        TableName: stack.table,
        Key: { pk: `OP#${op.id}`, sk: 'ROLLUP' },
        ConsistentRead: true,
      }),
    );

  beforeAll(async () => {
    stack = await freshStack({ notifications: false });
    // A definition as large as a real one (contacts, notes): its record costs many read units.
    op = anOperation({ id: 'status-op', description: 'x'.repeat(30_000) });
    await defineOn(stack, op);
  });
  afterAll(async () => {
    await stack.dispose();
  });

  /** The head's status copy as a status change that stopped between its two writes leaves it. */
  const leaveCopyBehind = () =>
    stack.repo.db.send(
      new UpdateCommand({
        TableName: stack.table,
        Key: { pk: `OP#${op.id}`, sk: 'ROLLUP' },
        UpdateExpression: 'SET #s = :s, statusSeq = :q',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': 'open', ':q': 1 },
      }),
    );
  /** Kenya's `n`th accepted return, of `arrests` arrests. */
  const keReports = (arrests: number, n: number) =>
    stack.repo.applyCountry(op.id, {
      country: 'KE',
      figures: { totals: { arrests }, byDay: { '2025-11-10': { arrests } }, byBreakdown: {} },
      submissionId: `KE-${n}`,
      orderKey: String(n),
      receivedAt: '2025-11-10T09:00:00.000Z',
      acceptedAt: `2025-11-10T09:00:0${n}.000Z`,
    });

  /** A repository whose client counts requests and the read units DynamoDB reports for them. */
  function metered() {
    const counting = countingRepository(stack);
    let units = 0;
    counting.repo.db.middlewareStack.add(
      (next) => async (args) => {
        (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
        const out = await next(args);
        const consumed = (
          out.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }
        ).ConsumedCapacity;
        for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : [])
          units += c.CapacityUnits ?? 0;
        return out;
      },
      { step: 'initialize', name: 'readUnits' },
    );
    return { ...counting, units: () => units };
  }

  it('answers a poll from the head alone, one read unit, whatever the size of the definition', async () => {
    await refreshRollup(stack, op.id);
    const meter = metered();
    const first = await readRollup({ repo: meter.repo, objects: stack.objects }, op.id, null, 0);
    meter.reset();
    const before = meter.units();

    const answer = await readRollup({ repo: meter.repo, objects: stack.objects }, op.id, first?.etag, 0);

    expect(answer).toEqual({ kind: 'not-modified', etag: first?.etag });
    expect(meter.requests()).toBe(1);
    expect(meter.units() - before).toBe(1);
  });

  it('shows a status change in the next poll, and keeps it through the next refresh', async () => {
    const before = await readRollup(stack, op.id, null, 0);
    expect(await stack.repo.setOperationStatus(op.id, 'open', 'closed', 'admin', 'test')).toBe(true);

    const after = await readRollup(stack, op.id, before?.etag, 0);
    expect(after?.kind === 'rollup' && after.status).toBe('closed');
    expect(after?.etag).not.toBe(before?.etag);

    await keReports(3, 1);
    expect(await refreshRollup(stack, op.id)).toBe('written');
    const { Item } = await head();
    expect(Item).toMatchObject({ status: 'closed', statusSeq: 2 });
  });

  it('repairs a status copy left behind (a change that stopped between its two writes) at the next refresh', async () => {
    await leaveCopyBehind();
    await keReports(4, 2);

    expect(await refreshRollup(stack, op.id)).toBe('written');
    expect((await head()).Item).toMatchObject({ status: 'closed', statusSeq: 2 });
  });

  it('repairs it when the admin asks again for the status the operation already has', async () => {
    await leaveCopyBehind();
    const record = await stack.repo.getOperation(op.id);
    if (!record) throw new Error('no operation');

    const again = await changeStatus({ ...stack, signer: await aSigner() }, record, 'closed', {
      reason: 'retry',
      by: 'admin',
    });

    expect(again.ok).toBe(false);
    expect((await head()).Item).toMatchObject({ status: 'closed', statusSeq: 2 });
  });

  it('never lets an older status copy replace a newer one', async () => {
    await stack.repo.mirrorStatus(op.id, 'open', 1);
    expect((await head()).Item).toMatchObject({ status: 'closed', statusSeq: 2 });
  });

  it('reads the status from the operation record for a head written before the copy existed', async () => {
    const { Item } = await head();
    const { status: _s, statusSeq: _q, ...older } = Item ?? {};
    await stack.repo.db.send(new PutCommand({ TableName: stack.table, Item: older }));

    const answer = await readRollup(stack, op.id, null, 0);
    expect(answer?.kind === 'rollup' && answer.status).toBe('closed');
  });
});

describe('GET /operations/{op}/rollup?asOf= and /rollup/history over HTTP', () => {
  let stack: Stack;
  const OP = 'liberterra-iii';

  beforeAll(async () => {
    stack = await freshStack({ notifications: false });
  });
  afterAll(async () => {
    await stack.dispose();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.apiUrl}/operations/${OP}${path}`, {
      headers: { authorization: `Bearer ${stack.tokens.coordinator}`, ...headers },
    });

  it('lists the versions of the timeline, each with its time and totals', async () => {
    const res = await get('/rollup/history');
    const body = (await res.json()) as { versions: { version: number; at: string }[]; cursor: string | null };

    expect(res.status).toBe(200);
    expect(body.versions.length).toBeGreaterThan(0);
    expect(body.cursor).toBeNull();
  });

  it('answers the rollup as of a listed time with the ETag of that version, then 304 for it', async () => {
    const history = (await (await get('/rollup/history')).json()) as {
      versions: { version: number; at: string }[];
    };
    const first = history.versions[0]!;

    const res = await get(`/rollup?asOf=${encodeURIComponent(first.at)}`);
    const again = await get(`/rollup?asOf=${encodeURIComponent(first.at)}`, {
      'if-none-match': res.headers.get('etag') ?? '',
    });

    expect(res.status).toBe(200);
    expect(((await res.json()) as { version: number }).version).toBe(first.version);
    expect(res.headers.get('etag')).toBe(`"${first.version}-open"`);
    expect(again.status).toBe(304);
  });

  it('answers 404 before the first version, and 400 for a time it cannot read', async () => {
    const before = await get('/rollup?asOf=2000-01-01T00:00:00Z');
    const unreadable = await get('/rollup?asOf=yesterday');

    expect(before.status).toBe(404);
    expect(unreadable.status).toBe(400);
    expect(((await unreadable.json()) as { error: string }).error).toBe('bad-request');
  });
});
