/**
 * How much of a return's figures an answer carries (`?figures=`). The full form adds the
 * breakdowns, by day and over the window; for a large return that is most of the answer (a
 * 24.6 MB return: 13.3 MB of JSON), beyond what a Lambda may answer (6 MB). The summary — totals
 * and per-day figures — stays small whatever the breakdowns. The full form stays the default, as
 * the CLI and scripts have always read it; when it would not fit a Lambda answer it is refused
 * with `figures-too-large`, which says to ask for the summary.
 */
import type { CountryFigures } from '../domain/checks/figures.ts';

/** The two forms: `full` (the default) and `summary`. */
export const FIGURES_DETAILS = ['full', 'summary'] as const;

/** What an answer carries of the figures. */
export type FiguresDetail = (typeof FIGURES_DETAILS)[number];

/** `?figures=summary`: the totals and the per-day figures, no breakdown. */
export type FiguresSummary = Pick<CountryFigures, 'totals' | 'byDay'>;

/**
 * The largest full-form answer (bytes of the body as it travels in the Lambda's JSON response,
 * escaped): Lambda answers at most 6 MB, and the rest of the response needs some room.
 */
export const FULL_FIGURES_ANSWER_LIMIT_BYTES = 5.5 * 1024 * 1024;

/** The detail asked for: `full` when absent; null for a value that is neither. */
export function figuresDetailOf(value: string | undefined): FiguresDetail | null {
  if (value === undefined || value === '') return 'full';
  return (FIGURES_DETAILS as readonly string[]).includes(value) ? (value as FiguresDetail) : null;
}

/** The summary of `figures`: totals and per-day figures; breakdowns left out. */
export function figuresSummary(figures: FiguresSummary): FiguresSummary {
  return { totals: figures.totals, byDay: figures.byDay };
}
