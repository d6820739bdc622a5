import { gunzipSync, gzipSync } from 'node:zlib';
import type { ObjectStore } from '../adapters/objects.ts';
import type { Repository } from '../adapters/repository.ts';
import { ROLLUPS_PREFIX, rollupBodyKey } from '../domain/object-keys.ts';
import { type Rollup, rollup } from '../domain/rollup.ts';
import { historyEntryOf, type RollupHead, type RollupHistoryEntry } from '../domain/rollup-history.ts';

/** The user metadata of a rollup body naming when it became current (`x-amz-meta-rollup-at`). */
const ROLLUP_AT_METADATA = 'rollup-at';

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
  // The body carries the time its head will name, to the millisecond (S3's own LastModified is
  // to the second): a timeline restored from the bodies is then the timeline that was.
  const at = (stores.now ?? (() => new Date()))().toISOString();
  const { eTag } = await stores.objects.putBytes(key, body, {
    contentType: 'application/json',
    contentEncoding: 'gzip',
    metadata: { [ROLLUP_AT_METADATA]: at },
  });
  const head: RollupHead = { version: computed.version, key, eTag, at, size: body.length };
  const status = { status: basis.record.status, seq: basis.record.statusLog.length };
  if ((await stores.repo.putRollupHead(op, head, status)) === 'written') {
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
  objects: Pick<ObjectStore, 'list' | 'getWithMetadata'>;
};

/**
 * Restores an operation's rollup timeline and head from the bodies kept in S3 (after the table
 * was lost): one history entry per stored version, at the time its head named (kept with the
 * body as `x-amz-meta-rollup-at`; S3's LastModified, to the second, for bodies stored before),
 * so every moment answers the version it answered before; then the head at the newest version.
 * A version whose body is timed later than a greater version's cannot have been current and is left out;
 * a writer that lost a race earlier than the winner stored a body that is kept — it is the
 * rollup of the items as they stood then. Returns the entries written, oldest first.
 */
export async function restoreRollupTimeline(
  stores: RollupRestoreStores,
  op: string,
): Promise<RollupHistoryEntry[]> {
  const listed = (await stores.objects.list(`${ROLLUPS_PREFIX}${op}/`))
    .map((o) => ({ ...o, version: rollupVersionOfKey(o.key) }))
    .filter((o): o is typeof o & { version: number } => o.version !== null);
  const stored: { key: string; size: number; version: number; at: string; rollup: Rollup }[] = [];
  for (const o of listed) {
    const got = await stores.objects.getWithMetadata(o.key);
    if (!got) continue;
    // Bodies from before the time was kept with them fall back to S3's time (to the second).
    const at = got.metadata[ROLLUP_AT_METADATA] ?? o.lastModified?.toISOString();
    if (!at) continue;
    const rollup = JSON.parse(gunzipSync(got.bytes).toString('utf8')) as Rollup;
    stored.push({ key: o.key, size: o.size, version: o.version, at, rollup });
  }
  stored.sort((a, b) => a.version - b.version);
  const kept: typeof stored = [];
  for (const body of stored.reverse()) {
    const later = kept.at(-1);
    if (!later || Date.parse(body.at) <= Date.parse(later.at)) kept.push(body);
  }
  kept.reverse();
  const entries: RollupHistoryEntry[] = [];
  let head: RollupHead | null = null;
  for (const body of kept) {
    head = { version: body.version, key: body.key, eTag: null, at: body.at, size: body.size };
    const entry = historyEntryOf(body.rollup, head);
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
