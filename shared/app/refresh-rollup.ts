import { gzipSync } from 'node:zlib';
import type { ObjectStore } from '../adapters/objects.ts';
import type { Repository } from '../adapters/repository.ts';
import { rollupBodyKey } from '../domain/object-keys.ts';
import { rollup } from '../domain/rollup.ts';
import { historyEntryOf, type RollupHead } from '../domain/rollup-history.ts';

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
