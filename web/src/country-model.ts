/**
 * The country drill-down's model: plain data in, plain data out (no DOM), so it runs and is tested
 * in Node. Every figure is a number or null: null is "not reported", never 0 (invariant 5).
 * What a correction changed is `returnDiff`'s comparison (shared/domain/return-diff.ts) of the
 * figures of the return it replaced with its own, spelled out per metric and day.
 */
import type { FiguresSummary, SubmissionView } from '../../shared/api/responses.ts';
import { returnDiff } from '../../shared/domain/return-diff.ts';
import type { Participant } from './api-types.ts';

/** The participant a drill-down's code names, or null when the code names none of them. */
export function findParticipant(code: string, participants: readonly Participant[]): Participant | null {
  const wanted = code.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(wanted)) return null;
  return participants.find((p) => p.code === wanted) ?? null;
}

/** One day of the country's figures: a figure per metric, in the metrics' order. */
export type DayRow = { date: string; figures: (number | null)[] };

/**
 * The country's figures by day, one row per day of the operation's window (and any other day the
 * figures hold), in date order; a day or metric the return does not report is null.
 */
export function dayRows(
  metricIds: readonly string[],
  windowDays: readonly string[],
  byDay: FiguresSummary['byDay'],
): DayRow[] {
  const days = [...new Set([...windowDays, ...Object.keys(byDay)])].sort();
  return days.map((date) => ({ date, figures: metricIds.map((m) => byDay[date]?.[m] ?? null) }));
}

/** The metrics as the drill-down reads them: id, aggregation and breakdowns (the definition's). */
export type MetricShape = {
  id: string;
  aggregation: 'sum' | 'max';
  breakdowns: readonly { dimension: string; values: readonly string[] }[];
};

/** One breakdown dimension of a metric: a row per value, the figure over the window and by day. */
export type BreakdownTable = {
  metric: string;
  dimension: string;
  /** The days any value of this dimension was reported, in date order. */
  days: string[];
  rows: { value: string; total: number | null; byDay: (number | null)[] }[];
};

/**
 * The country's breakdowns (`byBreakdown`: over the window; `byDayBreakdown`: by day), one table
 * per metric and dimension the definition declares, values in the definition's order. A dimension
 * the return reports nothing of still gets its table, every figure null.
 */
export function breakdownTables(
  metrics: readonly MetricShape[],
  byBreakdown: Readonly<Record<string, Readonly<Record<string, number>>>>,
  byDayBreakdown: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, number>>>>>>,
): BreakdownTable[] {
  return metrics.flatMap((m) =>
    m.breakdowns.map((b): BreakdownTable => {
      const keys = b.values.map((v) => `${b.dimension}=${v}`);
      const days = Object.keys(byDayBreakdown)
        .filter((d) => keys.some((k) => byDayBreakdown[d]?.[m.id]?.[k] !== undefined))
        .sort();
      return {
        metric: m.id,
        dimension: b.dimension,
        days,
        rows: b.values.map((value, i) => ({
          value,
          total: byBreakdown[m.id]?.[keys[i]!] ?? null,
          byDay: days.map((d) => byDayBreakdown[d]?.[m.id]?.[keys[i]!] ?? null),
        })),
      };
    }),
  );
}

/** One figure a correction changed: a metric's total (`date` null) or one day's figure. */
export type FigureChange = {
  metric: string;
  /** The day, or null for the metric's figure over the operation (its total, or peak for a gauge). */
  date: string | null;
  /** `added`: not reported before; `removed`: reported before, not any more; `changed`: another figure. */
  kind: 'added' | 'removed' | 'changed';
  before: number | null;
  after: number | null;
};

/** What a correction changed against the return it replaced. */
export type Correction = {
  /** The submission it replaced. */
  replaced: string;
  /** True when the figures are the same (the same return sent again). */
  unchanged: boolean;
  /** The metrics' totals that differ, in the operation's metric order. */
  totals: FigureChange[];
  /** Each metric's days that differ, metric by metric in the operation's order, then by date. */
  days: FigureChange[];
  /** Days that lost at least one figure, in date order. */
  daysRemoved: string[];
};

/**
 * What the return `next` changed against `previous` (the figures of the submission it replaced),
 * per metric and per day: `returnDiff` says which metrics and days differ, the figures say from
 * what to what.
 */
export function correction(
  metricOrder: readonly string[],
  replaced: string,
  previous: FiguresSummary,
  next: FiguresSummary,
): Correction {
  const diff = returnDiff(metricOrder, previous, next);
  const totals: FigureChange[] = [];
  const days: FigureChange[] = [];
  for (const m of diff.metrics) {
    if (m.current !== m.next) totals.push(change(m.metric, null, m.current, m.next));
    const changed = [...m.daysAdded, ...m.daysRemoved, ...m.daysChanged].sort();
    for (const date of changed) {
      days.push(
        change(
          m.metric,
          date,
          previous.byDay[date]?.[m.metric] ?? null,
          next.byDay[date]?.[m.metric] ?? null,
        ),
      );
    }
  }
  return { replaced, unchanged: diff.unchanged, totals, days, daysRemoved: diff.daysRemoved };
}

function change(
  metric: string,
  date: string | null,
  before: number | null,
  after: number | null,
): FigureChange {
  const kind = before === null ? 'added' : after === null ? 'removed' : 'changed';
  return { metric, date, kind, before, after };
}

/** The statuses whose submission gave figures (accepted, then perhaps replaced by a later one). */
const COUNTED = new Set<SubmissionView['status']>(['accepted', 'superseded']);

/** The submissions whose figures the history compares: those that were accepted. */
export function countedSubmissions(submissions: readonly SubmissionView[]): string[] {
  return submissions.filter((s) => COUNTED.has(s.status)).map((s) => s.id);
}

/** One line of the country's history. */
export type HistoryEntry = {
  submission: SubmissionView;
  /** The submission whose figures count for the country now. */
  current: boolean;
  /**
   * For an accepted return that replaced an earlier one: what it changed; `pending` while either
   * side's figures are not loaded; null for the first accepted return, and for any other file.
   */
  correction: Correction | 'pending' | null;
};

/**
 * The country's full history, newest first. `submissions` come in the API's order (the order the
 * files arrived); each accepted return replaced the accepted one before it. `figuresOf` gives a
 * submission's figures once loaded (undefined: not yet; null: it gave none).
 */
export function history(
  metricOrder: readonly string[],
  submissions: readonly SubmissionView[],
  currentId: string | null,
  figuresOf: (id: string) => FiguresSummary | null | undefined,
): HistoryEntry[] {
  let previous: string | null = null;
  const entries = submissions.map((submission): HistoryEntry => {
    const entry: HistoryEntry = { submission, current: submission.id === currentId, correction: null };
    if (!COUNTED.has(submission.status)) return entry;
    if (previous !== null) {
      const before = figuresOf(previous);
      const after = figuresOf(submission.id);
      entry.correction =
        before && after
          ? correction(metricOrder, previous, before, after)
          : before === undefined || after === undefined
            ? 'pending'
            : null;
    }
    previous = submission.id;
    return entry;
  });
  return entries.reverse();
}

/** What the history needs loading: the counted submissions whose figures are not `known` yet. */
export function figuresToLoad(
  submissions: readonly SubmissionView[],
  known: (id: string) => boolean,
): string[] {
  return countedSubmissions(submissions).filter((id) => !known(id));
}

/**
 * A fingerprint of what the drill-down shows for a country: the submissions' ids and statuses and
 * the submission that counts. The drill-down redraws only when it changes.
 */
export function historyKey(submissions: readonly SubmissionView[], currentId: string | null): string {
  return `${currentId ?? '-'}|${submissions.map((s) => `${s.id}:${s.status}:${s.processedAt ?? ''}`).join(',')}`;
}
