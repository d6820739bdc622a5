/**
 * Formatting for the dashboard: plain functions, no DOM, so they run (and are tested) in Node.
 * Every function that shows a clock time takes the time zone explicitly; calendar dates of the
 * operation (`YYYY-MM-DD`) are never shifted by any time zone.
 */

/** How a figure is shown: "reported 0" and "not reported" must never look alike (invariant 5). */
export type FigureState = 'value' | 'zero' | 'missing';

/** A figure ready for display: visible text, its state, and the words a screen reader should say. */
export type FigureText = { text: string; state: FigureState; label: string };

/** The mark shown for "not reported": an em dash, never a 0. */
export const NOT_REPORTED_MARK = '—';

/** The words for a figure nobody reported (English; the page's language once `setPageFormat` ran). */
export const NOT_REPORTED_LABEL = 'not reported';

/**
 * The page's language for every function here that is not given one: the `Intl` tag (Arabic with
 * Latin digits: a figure reads the same in every language) and the words for "not reported".
 * Unset, the runtime's default locale and English words.
 */
const page: { locale: string | undefined; notReported: string } = {
  locale: undefined,
  notReported: NOT_REPORTED_LABEL,
};

/** Sets the page's language for the formatting functions (see `page`). */
export function setPageFormat(locale: string, notReported: string): void {
  page.locale = locale;
  page.notReported = notReported;
}

/** Formats a whole count with grouping (`12,345` in English); null is "not reported". */
export function formatCount(value: number | null, locale: string | undefined = page.locale): string {
  if (value === null) return NOT_REPORTED_MARK;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(value);
}

/**
 * A figure with its state: `0` stays "0" (reported zero), null becomes "—" with the label
 * "not reported".
 */
export function formatFigure(value: number | null, locale: string | undefined = page.locale): FigureText {
  if (value === null) return { text: NOT_REPORTED_MARK, state: 'missing', label: page.notReported };
  const text = formatCount(value, locale);
  return { text, state: value === 0 ? 'zero' : 'value', label: text };
}

/**
 * A signed change: `+12`, `−3` (a true minus sign), and `±0` for no change, or `+0` when the
 * figure was added (a day that reported zero added zero).
 */
export function formatChange(
  value: number,
  kind: 'added' | 'delta' = 'delta',
  locale: string | undefined = page.locale,
): string {
  if (value === 0) return kind === 'added' ? '+0' : '±0';
  const magnitude = formatCount(Math.abs(value), locale);
  return value > 0 ? `+${magnitude}` : `−${magnitude}`;
}

/** A percentage with at most one decimal: `42.5%`. */
export function formatPercent(value: number, locale: string | undefined = page.locale): string {
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value)}%`;
}

/** An operation day (`2025-11-12`) as `12 Nov`, the same in every time zone. */
export function formatDay(date: string, locale: string | undefined = page.locale): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(t)) return date;
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(t);
}

/** Where and how clock times are shown; `now` decides whether the year is worth showing. */
export type ClockOptions = { locale?: string; timeZone?: string; now?: number };

/**
 * An instant as a short date and time in the given zone (the browser's by default):
 * `25 Nov, 15:20:03`, with the year when it is not the current one (`25 Nov 2025, 23:59:59`).
 */
export function formatDateTime(iso: string | null, options: ClockOptions = {}): string {
  if (iso === null) return NOT_REPORTED_MARK;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const yearOf = (ms: number) =>
    new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: options.timeZone }).format(ms);
  const showYear = yearOf(t) !== yearOf(options.now ?? Date.now());
  return new Intl.DateTimeFormat(options.locale ?? page.locale, {
    year: showYear ? 'numeric' : undefined,
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZone: options.timeZone,
  }).format(t);
}

/** How long ago an instant was, in words: `just now`, `42 s ago`, `5 min ago`, `3 h ago`, `2 d ago`. */
export function formatAgo(iso: string | null, now: number): string {
  if (iso === null) return page.locale ? NOT_REPORTED_MARK : 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const seconds = Math.max(0, Math.round((now - t) / 1000));
  if (page.locale) return relativeAgo(seconds, page.locale);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** `formatAgo` in a language: the runtime's own words ("il y a 5 min", "منذ 5 دقائق"). */
function relativeAgo(seconds: number, locale: string): string {
  const words = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  if (seconds < 60) return words.format(-seconds, 'second');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return words.format(-minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return words.format(-hours, 'hour');
  return words.format(-Math.floor(hours / 24), 'day');
}

/**
 * A file size in bytes, KB or MB (1 KB = 1024 bytes). The units are international; the number is
 * written as the page's language writes it (`2,0 KB` in French) once `setPageFormat` ran, else (an
 * English page) with a point, `2.0 KB`, whatever the runtime's locale.
 */
export function formatBytes(bytes: number | null, locale: string | undefined = page.locale): string {
  if (bytes === null) return NOT_REPORTED_MARK;
  const number = (value: number, digits: number) =>
    locale === undefined
      ? value.toFixed(digits)
      : new Intl.NumberFormat(locale, {
          minimumFractionDigits: digits,
          maximumFractionDigits: digits,
        }).format(value);
  if (bytes < 1024) return `${number(bytes, 0)} B`;
  if (bytes < 1024 * 1024) return `${number(bytes / 1024, 1)} KB`;
  return `${number(bytes / 1024 / 1024, 1)} MB`;
}

/** The lifecycle status as a word for people. */
export function formatStatus(status: string): string {
  return status.length === 0 ? status : status[0]!.toUpperCase() + status.slice(1);
}

/** The file name of an upload key (`incoming/op/CC/name.csv` → `name.csv`). */
export function fileName(key: string): string {
  return key.split('/').at(-1) || key;
}

/**
 * A SHA-256 (or any long hex digest) cut to its first `length` characters and an ellipsis, for a
 * table cell: `3f2a9c0d1b7e…`. The page puts the full value in a title and for screen readers.
 * Null (not hashed yet) is "—"; a value no longer than `length` is shown whole.
 */
export function shortHash(hash: string | null, length = 12): string {
  if (hash === null || hash === '') return NOT_REPORTED_MARK;
  return hash.length <= length ? hash : `${hash.slice(0, length)}…`;
}
