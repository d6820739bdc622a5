import { gunzipSync } from 'node:zlib';
import type { ObjectStore } from '../adapters/objects.ts';
import type { Repository } from '../adapters/repository.ts';
import { statusAt } from '../domain/lifecycle.ts';
import type { OperationStatus } from '../domain/operation.ts';
import { rollup } from '../domain/rollup.ts';
import { type RollupHistoryEntry, rollupEtag } from '../domain/rollup-history.ts';

/** What reading rollups needs. */
export type RollupReadStores = {
  repo: Pick<Repository, 'readRollupHead' | 'getOperation' | 'rollupAt' | 'rollupHistory'>;
  objects: Pick<ObjectStore, 'getBytes'>;
};

/** A rollup as answered: unchanged since the client's copy, or its JSON (status included). */
export type RollupAnswer =
  | { kind: 'not-modified'; etag: string }
  | { kind: 'rollup'; etag: string; version: number; status: OperationStatus; body: string };

/**
 * How long a head read answers the polls that follow it in this process (see
 * `readRollupHead`): the polls of thousands of dashboards cost one read per function instance
 * per window instead of one each. Writes of this process are seen at once; those of others (new
 * versions from the ingest, on AWS) at most this much later.
 */
export const HEAD_REUSE_MS = 250;

/**
 * The current rollup of `op`, or null for an unknown operation. Costs at most one small read (the
 * head and the operation's status, shared by the polls of a quarter second) when the client's
 * copy is current (`ifNoneMatch`), and at most one S3 GET per version and process otherwise:
 * bodies are immutable, so they are kept in memory. Never older than the client's copy: a kept
 * read that may be is read again.
 */
export async function readRollup(
  stores: RollupReadStores,
  op: string,
  ifNoneMatch?: string | null,
  reuseMs: number = HEAD_REUSE_MS,
): Promise<RollupAnswer | null> {
  let read = await stores.repo.readRollupHead(op, reuseMs);
  if (read && mayBeOlderThan(read, ifNoneMatch)) read = await stores.repo.readRollupHead(op);
  if (!read) return null;
  const version = read.head?.version ?? 0;
  const etag = rollupEtag(version, read.status);
  if (ifNoneMatch === etag) return { kind: 'not-modified', etag };
  let body: string;
  if (read.head) body = await bodyAt(stores.objects, read.head.key);
  else if (read.legacyBody !== null) body = read.legacyBody;
  else {
    // Never refreshed: the empty rollup of the definition (version 0).
    const record = await stores.repo.getOperation(op);
    if (!record) return null;
    body = JSON.stringify(rollup(record.definition, []));
  }
  return { kind: 'rollup', etag, version, status: read.status, body: withStatus(body, read.status) };
}

/**
 * The rollup as it stood at `at` — the version current then, with the operation's status then —
 * or why there is none: the operation is unknown, or no rollup existed yet at that time.
 */
export async function readRollupAsOf(
  stores: RollupReadStores,
  op: string,
  at: Date,
  ifNoneMatch?: string | null,
): Promise<RollupAnswer | 'unknown-operation' | 'none-yet'> {
  const record = await stores.repo.getOperation(op);
  if (!record) return 'unknown-operation';
  const iso = at.toISOString();
  const entry = await stores.repo.rollupAt(op, iso);
  if (!entry) return 'none-yet';
  const status = statusAt(record.statusLog, iso, record.status);
  const etag = rollupEtag(entry.version, status);
  if (ifNoneMatch === etag) return { kind: 'not-modified', etag };
  const body = await bodyAt(stores.objects, entry.key);
  return { kind: 'rollup', etag, version: entry.version, status, body: withStatus(body, status) };
}

/** The timeline of `op` (version, when it became current, totals), oldest first; null if unknown. */
export async function readRollupHistory(
  stores: Pick<RollupReadStores, 'repo'>,
  op: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ entries: Omit<RollupHistoryEntry, 'key'>[]; cursor: string | null } | null> {
  if (!(await stores.repo.getOperation(op))) return null;
  const found = await stores.repo.rollupHistory(op, page);
  return { entries: found.entries.map(({ key: _key, ...entry }) => entry), cursor: found.cursor };
}

/**
 * The stored current rollup as JSON text (null before the first refresh), its version and the
 * operation's status; null for an unknown operation. For audits and tools, which compare it.
 */
export async function storedRollup(
  stores: { repo: Pick<Repository, 'readRollupHead'>; objects: Pick<ObjectStore, 'getBytes'> },
  op: string,
): Promise<{ body: string | null; version: number; status: OperationStatus } | null> {
  const read = await stores.repo.readRollupHead(op);
  if (!read) return null;
  return {
    body: read.head ? await bodyAt(stores.objects, read.head.key) : read.legacyBody,
    version: read.head?.version ?? 0,
    status: read.status,
  };
}

/**
 * Whether a kept head read may be older than the copy the client names (its ETag holds the
 * version; an equal version with another status cannot be ordered, so it is read again too).
 */
function mayBeOlderThan(
  read: { head: { version: number } | null; status: OperationStatus },
  ifNoneMatch?: string | null,
): boolean {
  const client = /^"(\d+)-/.exec(ifNoneMatch ?? '');
  if (!client) return false;
  const version = read.head?.version ?? 0;
  return Number(client[1]) >= version && rollupEtag(version, read.status) !== ifNoneMatch;
}

/** The stored JSON with the status added: spliced, not parsed and re-serialised (bodies may be MBs). */
function withStatus(body: string, status: OperationStatus): string {
  return `${body.slice(0, -1)},"status":${JSON.stringify(status)}}`;
}

/** Decompressed bodies kept per object store, by key: at most this many characters in all. */
const CACHE_BUDGET_CHARS = 64 * 2 ** 20;
const caches = new WeakMap<object, Map<string, Promise<string>>>();
const cachedChars = new WeakMap<object, { total: number; sizes: Map<string, number> }>();

/**
 * A rollup body by its key. Keys name immutable versions, so a body read once is served from
 * memory until the budget evicts it (oldest first); concurrent first reads share one S3 GET.
 */
async function bodyAt(objects: Pick<ObjectStore, 'getBytes'>, key: string): Promise<string> {
  let cache = caches.get(objects);
  let sizes = cachedChars.get(objects);
  if (!cache || !sizes) {
    cache = new Map();
    sizes = { total: 0, sizes: new Map() };
    caches.set(objects, cache);
    cachedChars.set(objects, sizes);
  }
  const hit = cache.get(key);
  if (hit) {
    // Most recently used last: eviction takes the front.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const loading = objects.getBytes(key).then((bytes) => {
    if (!bytes) throw new Error(`rollup body ${key} is missing: a head points only at a stored body`);
    return gunzipSync(bytes).toString('utf8');
  });
  cache.set(key, loading);
  const map = cache;
  const account = sizes;
  loading.then(
    (text) => {
      if (map.get(key) !== loading) return;
      account.sizes.set(key, text.length);
      account.total += text.length;
      for (const [old] of map) {
        if (account.total <= CACHE_BUDGET_CHARS || old === key) break;
        account.total -= account.sizes.get(old) ?? 0;
        account.sizes.delete(old);
        map.delete(old);
      }
    },
    () => {
      if (map.get(key) === loading) map.delete(key);
    },
  );
  return loading;
}
