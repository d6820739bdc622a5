import { maxCountryFigure, type Operation } from '../operation.ts';
import type { ReturnCells } from '../return-cells.ts';
import type { AddProblem } from './add-problem.ts';

/** What a country's accepted return adds up to. Metrics the country did not report are absent. */
export type CountryFigures = {
  /** metric → the country's figure: the sum over days, or the peak day for a gauge. */
  totals: Record<string, number>;
  /** date → metric → that day's total. */
  byDay: Record<string, Record<string, number>>;
  /** metric → "dimension=value" → figure over the window (sum, or peak for a gauge). */
  byBreakdown: Record<string, Record<string, number>>;
  /** date → metric → "dimension=value" → that day's breakdown figure. */
  byDayBreakdown: Record<string, Record<string, Record<string, number>>>;
  rows: number;
};

/**
 * What the return's cells add up to: each metric's total (sum over days, or peak day for a gauge),
 * by day, by breakdown, and by day and breakdown. Keys come in the order of the cells'
 * `date|metric|breakdown` texts.
 */
export function figuresOf(op: Pick<Operation, 'metrics'>, cells: ReturnCells, rows: number): CountryFigures {
  const figures: CountryFigures = {
    totals: {},
    byDay: {},
    byBreakdown: {},
    byDayBreakdown: {},
    rows,
  };
  const gauges = new Set(op.metrics.filter((m) => m.aggregation === 'max').map((m) => m.id));
  const combine = (metric: string, a: number | undefined, b: number): number =>
    a === undefined ? b : gauges.has(metric) ? Math.max(a, b) : a + b;
  // The day's breakdowns of one metric come one after another: their object is looked up once.
  let dayBreakdowns: Record<string, number> = {};
  let dayBreakdownsOf = -1;
  // In the order of the cells' `date|metric|breakdown` texts, so the figures' keys are too.
  cells.forEachSorted((key, _row, value) => {
    const date = cells.date(key);
    const metric = cells.metric(key);
    const breakdown = cells.breakdown(key);
    if (breakdown === '') {
      figures.totals[metric] = combine(metric, figures.totals[metric], value);
      child(figures.byDay, date)[metric] = value;
    } else {
      const perMetric = child(figures.byBreakdown, metric);
      perMetric[breakdown] = combine(metric, perMetric[breakdown], value);
      if (dayBreakdownsOf !== cells.totalOf(key)) {
        dayBreakdownsOf = cells.totalOf(key);
        dayBreakdowns = child(child(figures.byDayBreakdown, date), metric);
      }
      dayBreakdowns[breakdown] = value;
    }
  });
  return figures;
}

/**
 * True when every total is within the operation's limit: values that each are may still add up
 * to one that is not (and a sum past 2^53 − 1 is no longer exact, but never back under the limit).
 */
export function exactFigures(
  op: Pick<Operation, 'name' | 'participants'>,
  figures: CountryFigures,
  add: AddProblem,
): boolean {
  const maxFigure = maxCountryFigure(op);
  let exact = true;
  const check = (metric: string, breakdown: string | null, n: number): void => {
    if (n <= maxFigure) return;
    exact = false;
    if (breakdown === null)
      add('value-too-large.total', null, 'value', n, { metric, ...figureLimitParams(op) });
    else
      add('value-too-large.breakdown-total', null, 'value', n, {
        metric,
        breakdown,
        ...figureLimitParams(op),
      });
  };
  for (const [metric, n] of Object.entries(figures.totals)) check(metric, null, n);
  for (const [metric, parts] of Object.entries(figures.byBreakdown)) {
    for (const [breakdown, n] of Object.entries(parts)) check(metric, breakdown, n);
  }
  return exact;
}

/**
 * Warns (`total-decreased`) of every metric whose total is lower than in the country's previous
 * accepted return (flows only: a gauge's peak may fall), or that this return no longer reports.
 */
export function warnDecreases(
  op: Pick<Operation, 'metrics'>,
  figures: CountryFigures,
  previous: Pick<CountryFigures, 'totals'> | null,
  add: AddProblem,
): void {
  if (!previous) return;
  for (const [metric, before] of Object.entries(previous.totals)) {
    const now = figures.totals[metric];
    if (now === undefined) {
      add('total-decreased.dropped', null, 'metric', metric, { metric, before });
    } else if (now < before && op.metrics.find((m) => m.id === metric)?.aggregation === 'sum') {
      add('total-decreased', null, 'metric', metric, { metric, now, before });
    }
  }
}

/**
 * Why figures are capped, and the cap: the parameters of every value-too-large hint. The limits are
 * texts, written in plain digits, as a return must write a figure.
 */
export function figureLimitParams(op: Pick<Operation, 'name' | 'participants'>): {
  operation: string;
  limit: string;
  participants: number;
  max: string;
} {
  return {
    operation: op.name,
    limit: String(maxCountryFigure(op)),
    participants: op.participants.length,
    max: String(Number.MAX_SAFE_INTEGER),
  };
}

/** The object at `key`, created empty when missing. */
export function child<T>(parent: Record<string, Record<string, T>>, key: string): Record<string, T> {
  let value = parent[key];
  if (value === undefined) {
    value = {};
    parent[key] = value;
  }
  return value;
}
