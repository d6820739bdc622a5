/**
 * The timeline of the headline totals by intake time (when the server counted the returns, not
 * the date they report on), and the "as of" moment the page may be switched to. DOM-free.
 */
import type { RollupHistoryPage } from '../../shared/api/responses.ts';

/** One version of the rollup in the timeline: when it became current and its headline figures. */
export type TimelineEntry = RollupHistoryPage['versions'][number];

/**
 * Adds a page of the history to what is known: one entry per version, ordered by version (and
 * so by time: a version becomes current only after every smaller one). A version already known
 * is kept as it was.
 */
export function mergeVersions(
  known: readonly TimelineEntry[],
  page: readonly TimelineEntry[],
): TimelineEntry[] {
  const byVersion = new Map(known.map((e) => [e.version, e]));
  for (const entry of page) if (!byVersion.has(entry.version)) byVersion.set(entry.version, entry);
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

/** A point of the timeline chart: x is the time in ms since the epoch. */
export type TimePoint = { x: number; y: number | null };

/** The series of one metric's total and of the countries reported, one point per version. */
export function timelineSeries(
  entries: readonly TimelineEntry[],
  metric: string,
): { total: TimePoint[]; reported: TimePoint[] } {
  return {
    total: entries.map((e) => ({ x: Date.parse(e.at), y: e.totals[metric] ?? null })),
    reported: entries.map((e) => ({ x: Date.parse(e.at), y: e.reported })),
  };
}

/** The index of the version current at `iso` (the last one that became current at or before it), or -1. */
export function indexAt(entries: readonly TimelineEntry[], iso: string): number {
  const t = Date.parse(iso);
  let found = -1;
  for (let i = 0; i < entries.length; i += 1) {
    if (Date.parse(entries[i]!.at) <= t) found = i;
    else break;
  }
  return found;
}

/** An `asOf` value from an address (`?asOf=`): the time in ISO form, or null when absent or unreadable. */
export function parseAsOf(text: string | null | undefined): string | null {
  if (!text) return null;
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * The value of an `<input type="datetime-local" step="1">` for `iso`, in this browser's time zone
 * (the zone the page states): `2025-11-14T10:30:05`.
 */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  return (
    `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/**
 * The moment a datetime-local input names, read in this browser's time zone, as an ISO time; null
 * when empty or unreadable. A value without seconds means the end of that minute (what was on
 * screen during the minute shown).
 */
export function fromLocalInput(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, hh, mm, ss, ms] = m;
  const wholeMinute = ss === undefined;
  const date = new Date(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(hh),
    Number(mm),
    wholeMinute ? 59 : Number(ss),
    wholeMinute ? 999 : Number((ms ?? '0').padEnd(3, '0')),
  );
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * A moment to the second, with its time zone: what the "as of" banner and the timeline's list
 * name (two versions a few seconds apart must read differently).
 */
export function formatMoment(iso: string, options: { locale?: string; timeZone?: string } = {}): string {
  return new Intl.DateTimeFormat(options.locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone: options.timeZone,
    timeZoneName: 'short',
  }).format(new Date(iso));
}
