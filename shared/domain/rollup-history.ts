import type { OperationStatus } from './operation.ts';
import type { MetricValues, Rollup } from './rollup.ts';

/**
 * Where the current rollup is: the small item a poll reads. The body itself is an immutable
 * object (`rollupBodyKey`) written before any head points at it; the head only moves to a
 * greater version (a conditional write), so a reader never sees the figures go back.
 */
export type RollupHead = {
  version: number;
  /** The body's S3 key (gzip-compressed JSON of the `Rollup`). */
  key: string;
  /** The body object's S3 ETag. */
  eTag: string | null;
  /** When this version became the current one (the head's write). */
  at: string;
  /** The body's size in bytes, compressed. */
  size: number;
};

/**
 * One version in an operation's timeline: when it became current and what it said, small enough
 * to list thousands. Entries are ordered by `at`, and so by version (the head only moves forward).
 */
export type RollupHistoryEntry = {
  version: number;
  at: string;
  key: string;
  totals: MetricValues;
  reported: number;
  expected: number;
};

/** The timeline entry of a rollup that became current as `head` says. */
export function historyEntryOf(rollup: Rollup, head: RollupHead): RollupHistoryEntry {
  return {
    version: head.version,
    at: head.at,
    key: head.key,
    totals: rollup.totals,
    reported: rollup.progress.reported,
    expected: rollup.progress.expected,
  };
}

/**
 * The HTTP entity tag of a rollup as served: its version and the operation's status (the status
 * changes on its own, without changing any figure). Clients poll with If-None-Match.
 */
export function rollupEtag(version: number, status: OperationStatus): string {
  return `"${version}-${status}"`;
}
