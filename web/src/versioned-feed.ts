/**
 * The stale-response guard. A rollup's `version` only grows, so a response carrying a lower
 * version than the one on screen is old (a cache, a retry, an out-of-order reply) and must never
 * replace it: a figure on the dashboard never goes backwards.
 */

/** A conditional GET's answer: 304, or a body with the ETag to send next time. */
export type Conditional<T> = { status: 'not-modified' } | { status: 'ok'; etag: string | null; body: T };

/** What one poll did to the page. */
export type FeedOutcome<T> =
  | { kind: 'updated'; data: T }
  | { kind: 'unchanged' }
  | { kind: 'stale'; version: number; shownVersion: number };

/**
 * Whether a response may replace what is shown. Equal versions are accepted: the figures are the
 * same, but something without a version (the operation's status) may have changed.
 */
export function isDisplayable(shownVersion: number | null, incomingVersion: number): boolean {
  return shownVersion === null || incomingVersion >= shownVersion;
}

/**
 * Polls a versioned resource with `If-None-Match` and hands out only data at least as new as what
 * was handed out before. The ETag of an ignored (stale) response is not kept, so the next request
 * still asks relative to what is shown.
 */
export class VersionedFeed<T extends { version: number }> {
  #etag: string | null = null;
  #shown: T | null = null;
  readonly #load: (etag: string | null) => Promise<Conditional<T>>;

  constructor(load: (etag: string | null) => Promise<Conditional<T>>) {
    this.#load = load;
  }

  /** The data last handed out, or null before the first. */
  get current(): T | null {
    return this.#shown;
  }

  /** Asks once; rejects when the request fails (the caller decides how to retry). */
  async next(): Promise<FeedOutcome<T>> {
    const answer = await this.#load(this.#etag);
    if (answer.status === 'not-modified') return { kind: 'unchanged' };
    return this.offer(answer.body, answer.etag);
  }

  /** Takes data obtained another way (or a reply to a request made concurrently) through the same guard. */
  offer(data: T, etag: string | null): FeedOutcome<T> {
    const shownVersion = this.#shown?.version ?? null;
    if (!isDisplayable(shownVersion, data.version)) {
      return { kind: 'stale', version: data.version, shownVersion: shownVersion ?? 0 };
    }
    this.#etag = etag;
    this.#shown = data;
    return { kind: 'updated', data };
  }
}
