import { gunzipSync, gzipSync } from 'node:zlib';
import type { ObjectStore } from '../adapters/objects.ts';
import type { Repository } from '../adapters/repository.ts';
import { ROLLUPS_PREFIX, rollupBodyKey } from '../domain/object-keys.ts';
import { type Rollup, rollup } from '../domain/rollup.ts';
import { historyEntryOf, type RollupHead, type RollupHistoryEntry } from '../domain/rollup-history.ts';

/** What recomputing a rollup reads and writes. */
export type RollupWriteStores = {
  repo: Pick<Repository, 'rollupBasis' | 'putRollupHead' | 'getRollupHead' | 'putRollupHistory'>;
  objects: Pick<ObjectStore, 'putBytes'>;
  now?: () => Date;
};

/**
 * Recomputes an operation's rollup from its country items (invariant 3) and makes it current
 * unless a newer one already is. The body is stored first, immutable, under a key naming its
 * version (two writers of one version write the same bytes: the rollup is a pure function of
 * the items the version counts); then the head moves to it by a conditional write, so a head
 * never points at a missing body and never moves back; then the version's history entry.
 * A refresh that finds its own version already current (an earlier one stopped before its
 * history entry) writes the entry again, so a retry repairs the timeline.
 */
export async function refreshRollup(
  stores: RollupWriteStores,
  op: string,
): Promise<'written' | 'stale' | 'unknown-operation'> {
  const basis = await stores.repo.rollupBasis(op);
  if (!basis) return 'unknown-operation';
  const computed = rollup(basis.record.definition, basis.states, basis.record.definitionVersion);
  const key = rollupBodyKey(op, computed.version);
  const body = gzipSync(JSON.stringify(computed));
  const { eTag } = await stores.objects.putBytes(key, body, {
    contentType: 'application/json',
    contentEncoding: 'gzip',
  });
  const head: RollupHead = {
    version: computed.version,
    key,
    eTag,
    at: (stores.now ?? (() => new Date()))().toISOString(),
    size: body.length,
  };
  if ((await stores.repo.putRollupHead(op, head)) === 'written') {
    await stores.repo.putRollupHistory(op, historyEntryOf(computed, head));
    return 'written';
  }
  const current = await stores.repo.getRollupHead(op);
  if (current?.version === computed.version) {
    await stores.repo.putRollupHistory(op, historyEntryOf(computed, current));
  }
  return 'stale';
}

/** What restoring the rollup's timeline reads and writes. */
export type RollupRestoreStores = {
  repo: Pick<Repository, 'putRollupHead' | 'putRollupHistory'>;
  objects: Pick<ObjectStore, 'list' | 'getBytes'>;
};

/**
 * Restores an operation's rollup timeline and head from the bodies kept in S3 (after the table
 * was lost): one history entry per stored version, timed by when its body was stored (S3's
 * LastModified — written just before the version became current, so every moment from the
 * original time on answers the same version), then the head at the newest version. A version
 * whose body is stored later than a greater version's cannot have been current and is left out;
 * a writer that lost a race earlier than the winner stored a body that is kept — it is the
 * rollup of the items as they stood then. Returns the entries written, oldest first.
 */
export async function restoreRollupTimeline(
  stores: RollupRestoreStores,
  op: string,
): Promise<RollupHistoryEntry[]> {
  const stored = (await stores.objects.list(`${ROLLUPS_PREFIX}${op}/`))
    .map((o) => ({ ...o, version: rollupVersionOfKey(o.key) }))
    .filter(
      (o): o is typeof o & { version: number; lastModified: Date } =>
        o.version !== null && o.lastModified !== null,
    )
    .sort((a, b) => a.version - b.version);
  const kept: typeof stored = [];
  for (const body of stored.reverse()) {
    const later = kept.at(-1);
    if (!later || body.lastModified.getTime() <= later.lastModified.getTime()) kept.push(body);
  }
  kept.reverse();
  const entries: RollupHistoryEntry[] = [];
  let head: RollupHead | null = null;
  for (const body of kept) {
    const bytes = await stores.objects.getBytes(body.key);
    if (!bytes) continue;
    const computed = JSON.parse(gunzipSync(bytes).toString('utf8')) as Rollup;
    head = {
      version: body.version,
      key: body.key,
      eTag: null,
      at: body.lastModified.toISOString(),
      size: body.size,
    };
    const entry = historyEntryOf(computed, head);
    await stores.repo.putRollupHistory(op, entry);
    entries.push(entry);
  }
  if (head) await stores.repo.putRollupHead(op, head);
  return entries;
}

/** The version a rollup body's key names, or null for another object. */
function rollupVersionOfKey(key: string): number | null {
  const m = /\/(\d{16})\.json\.gz$/.exec(key);
  return m ? Number(m[1]) : null;
}
