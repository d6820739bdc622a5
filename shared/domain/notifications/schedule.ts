import type { Operation } from '../operation.ts';

const DAY_MS = 86_400_000;

/**
 * How long after its time a cut-off is still handled: a notifier that was down for longer sends
 * that day's reminders no more (the next cut-off's reminders say the same, up to date).
 */
export const CUTOFF_GRACE_MS = DAY_MS;

/** The cut-off on a date (`YYYY-MM-DD`) at the definition's time of day (UTC). */
export function cutoffOn(date: string, cutoff: string): Date {
  return new Date(`${date}T${cutoff}:00.000Z`);
}

/**
 * Every daily cut-off of an operation, in order: one a day from the window's first day to the
 * reporting deadline's day (UTC), at the definition's cut-off time. None without `notifications`.
 */
export function cutoffsOf(op: Pick<Operation, 'window' | 'reportingDeadline' | 'notifications'>): Date[] {
  if (!op.notifications) return [];
  const last = new Date(op.reportingDeadline).toISOString().slice(0, 10);
  const cutoffs: Date[] = [];
  for (
    let t = Date.parse(`${op.window.start}T00:00:00Z`);
    t <= Date.parse(`${last}T00:00:00Z`);
    t += DAY_MS
  ) {
    cutoffs.push(cutoffOn(new Date(t).toISOString().slice(0, 10), op.notifications.cutoff));
  }
  return cutoffs;
}

/**
 * The cut-off due at `now`: the latest one not after `now`, if it passed less than
 * `CUTOFF_GRACE_MS` ago; null before the first and once the last is past its grace.
 */
export function dueCutoff(
  op: Pick<Operation, 'window' | 'reportingDeadline' | 'notifications'>,
  now: Date,
): Date | null {
  const passed = cutoffsOf(op).filter((c) => c.getTime() <= now.getTime());
  const latest = passed.at(-1);
  return latest && now.getTime() - latest.getTime() < CUTOFF_GRACE_MS ? latest : null;
}

/**
 * The cut-off of `now`'s day (UTC), handled early when an admin sends the reminders now: the
 * scheduled run later that day then finds its messages queued already. Any day from the window's
 * first on, also after the deadline (coordinators chase late countries by hand); null before the
 * window or without `notifications`.
 */
export function cutoffOfDay(op: Pick<Operation, 'window' | 'notifications'>, now: Date): Date | null {
  if (!op.notifications) return null;
  const date = now.toISOString().slice(0, 10);
  return date < op.window.start ? null : cutoffOn(date, op.notifications.cutoff);
}

/** The cut-off before `cutoff` (a day earlier): the digest's changes are counted from it. */
export function previousCutoff(cutoff: Date): Date {
  return new Date(cutoff.getTime() - DAY_MS);
}
