/**
 * The rollup head reads this process keeps for a moment (see `RollupItems.readRollupHead`), and
 * the count of this process's writes that can change one. A kept read is used only while no such
 * write happened since it began, so whatever this process wrote, it reads back at once; only
 * writes of other processes (on AWS: the ingest function's new versions) are seen up to the reuse
 * window late.
 */
let writes = 0;

/** Notes a write that can change a head read's answer (a head, a status, a definition). */
export function headChanged(): void {
  writes++;
}

type Kept<T> = { read: Promise<T>; startedAt: number; writes: number };
/** Per client (one per store: two local stacks in one process never share), then per key. */
const keptBy = new WeakMap<object, Map<string, Kept<unknown>>>();

/**
 * `read()`'s answer for `key` on `client`, shared with every caller within `reuseMs` of the
 * read's start (one request for all of them), unless this process wrote since; a failed read is
 * not kept.
 */
export function sharedRead<T>(
  client: object,
  key: string,
  reuseMs: number,
  read: () => Promise<T>,
): Promise<T> {
  const now = Date.now();
  let kept = keptBy.get(client);
  if (!kept) {
    kept = new Map();
    keptBy.set(client, kept);
  }
  const found = kept.get(key) as Kept<T> | undefined;
  if (reuseMs > 0 && found && found.writes === writes && now - found.startedAt <= reuseMs) return found.read;
  const entry: Kept<T> = { read: read(), startedAt: now, writes };
  kept.set(key, entry);
  const map = kept;
  entry.read.catch(() => {
    if (map.get(key) === entry) map.delete(key);
  });
  return entry.read;
}
