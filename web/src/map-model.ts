import type { RollupView } from './api-types.ts';
import type { CountryRow } from './view-model.ts';

/**
 * What the world map shows, computed from the country table's rows: plain data in, plain data
 * out, no DOM. Where a country stands, which colour class it falls in, the class breaks of a
 * metric, the legend and the tooltip's contents are decided here and unit-tested
 * (test/unit/web-map-model.test.ts); `world-map.ts` only draws them.
 */

/**
 * Where a participant stands on the map:
 * - `missing`: not reported — no accepted return (`byCountry[cc]` absent, the table's "Not reported");
 * - `zero`: reported 0 — it reported at least one figure, and every figure it reported is 0
 *   (metrics it left out do not count either way), on time or late;
 * - `late`: reported, first return received after the reporting deadline (`countries[cc].late`);
 * - `on-time`: reported before the deadline.
 * "Reported 0" comes before timeliness: a return of zeros is what a coordinator checks first; the
 * tooltip still says whether it was late. A return with no figure at all is not "reported 0".
 */
export type MapStatus = 'on-time' | 'late' | 'zero' | 'missing';

/** The statuses in the legend's order. */
export const MAP_STATUSES: readonly MapStatus[] = ['on-time', 'late', 'zero', 'missing'];

/** What the map colours countries by: their reporting status, or one metric's value. */
export type MapMode = { kind: 'status' } | { kind: 'metric'; metric: string };

/** The status of one country row (see `MapStatus`). */
export function mapStatus(row: Pick<CountryRow, 'status' | 'figures'>): MapStatus {
  if (row.status === 'missing') return 'missing';
  const reported = Object.values(row.figures).filter((v): v is number => v !== null);
  if (reported.length > 0 && reported.every((v) => v === 0)) return 'zero';
  return row.status;
}

/** How many colour classes a metric's positive values are split into, at most. */
export const MAX_CLASSES = 5;

/** The ramp steps (0 = lightest … 4 = darkest) the style sheet defines for value classes. */
const RAMP_STEPS = 5;

/**
 * A number rounded down to two significant digits (1,234 → 1,200; 57 → 57; 0.456 → 0.45), so a
 * class break reads well in a legend and still sits at or below the value it came from.
 */
export function niceFloor(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const step = 10 ** (Math.floor(Math.log10(Math.abs(value))) - 1);
  const rounded = Math.floor(value / step + 1e-9) * step;
  // Back to the nearest representable decimal (0.45, not 0.45000000000000007).
  return Number(rounded.toPrecision(2));
}

/**
 * The class breaks of a metric: the lower bound of each class of the non-zero values, in
 * increasing order, at most `maxClasses` classes. With that many distinct values or fewer, each
 * value is a class of its own. Otherwise quantile classes (each holds about as many countries),
 * bounds rounded down to two significant digits where that keeps them apart: counts of arrests or
 * victims are skewed (a few countries report most), and equal-width classes would put almost
 * everyone in the first. Every class holds at least one value. Zero and "not reported" are never
 * part of a class: they are shown apart.
 */
export function classBreaks(values: readonly (number | null)[], maxClasses = MAX_CLASSES): number[] {
  const sorted = values.filter((v): v is number => v !== null && v !== 0).sort((a, b) => a - b);
  const distinct = [...new Set(sorted)];
  if (distinct.length <= maxClasses) return distinct;
  const bounds = [distinct[0]!];
  for (let i = 1; i < maxClasses; i++) {
    const previous = bounds.at(-1)!;
    // A quantile on a run of equal values falls back to the next value up.
    const quantile = sorted[Math.floor((i * sorted.length) / maxClasses)]!;
    const value = quantile > previous ? quantile : distinct.find((v) => v > previous);
    if (value === undefined) break;
    const nice = niceFloor(value);
    bounds.push(nice > previous ? nice : value);
  }
  return bounds;
}

/** The colour class of a figure: not reported, zero, or the index of its value class. */
export type ValueClass = 'missing' | 'zero' | number;

/** The class a figure falls in, given `classBreaks` (values below the first bound go to the first class). */
export function valueClass(value: number | null, breaks: readonly number[]): ValueClass {
  if (value === null) return 'missing';
  if (value === 0) return 'zero';
  let index = 0;
  for (let i = 1; i < breaks.length; i++) if (value >= breaks[i]!) index = i;
  return index;
}

/**
 * The ramp step (0 lightest … 4 darkest) of each of `classes` classes, spread over the whole
 * ramp so that two classes never look alike: 1 → [2], 2 → [0, 4], 3 → [0, 2, 4].
 */
export function rampSteps(classes: number): number[] {
  if (classes <= 1) return classes === 1 ? [Math.floor(RAMP_STEPS / 2)] : [];
  return Array.from({ length: classes }, (_, i) => Math.round((i * (RAMP_STEPS - 1)) / (classes - 1)));
}

/** The fill class of a mark (the style sheet's `[data-fill]`): a status, zero, missing or a ramp step. */
export type Fill = MapStatus | `step-${number}`;

/** A legend entry: its fill, how many participants it holds, and what it means. */
export type LegendEntry = { fill: Fill; count: number } & (
  | { kind: 'status'; status: MapStatus }
  | { kind: 'zero' }
  | { kind: 'missing' }
  /** Values from `from` to `to`; `to` itself is in the class when `upperIncluded`. */
  | { kind: 'range'; from: number; to: number; upperIncluded: boolean }
);

/** What the map shows for one mode: each country's fill, and the legend that explains them. */
export type MapColouring = { fills: Map<string, Fill>; legend: LegendEntry[] };

/**
 * Each country's fill and the legend for a mode. By status: the four statuses. By metric: "not
 * reported" (the country sent no figure for it), 0, then the value classes from lowest to highest;
 * when every figure is a whole number a class reads "5–19", else "5 to under 20"; the last class
 * ends at the highest value. An unknown metric colours every country as not reported.
 */
export function mapColouring(rows: readonly CountryRow[], mode: MapMode): MapColouring {
  const fills = new Map<string, Fill>();
  if (mode.kind === 'status') {
    for (const row of rows) fills.set(row.code, mapStatus(row));
    const legend = MAP_STATUSES.map(
      (status): LegendEntry => ({
        kind: 'status',
        status,
        fill: status,
        count: rows.filter((r) => fills.get(r.code) === status).length,
      }),
    );
    return { fills, legend };
  }
  const values = rows.map((r) => r.figures[mode.metric] ?? null);
  const breaks = classBreaks(values);
  const steps = rampSteps(breaks.length);
  const classes = values.map((v) => valueClass(v, breaks));
  rows.forEach((row, i) => {
    const c = classes[i]!;
    fills.set(row.code, typeof c === 'number' ? `step-${steps[c] ?? 0}` : c);
  });
  const count = (c: ValueClass) => classes.filter((x) => x === c).length;
  const positive = values.filter((v): v is number => v !== null && v !== 0);
  const integral = positive.every(Number.isInteger) && breaks.every(Number.isInteger);
  const max = Math.max(...positive);
  const ranges = breaks.map((from, i): LegendEntry => {
    const next = breaks[i + 1];
    const range =
      next === undefined
        ? { from, to: max, upperIncluded: true }
        : integral
          ? { from, to: next - 1, upperIncluded: true }
          : { from, to: next, upperIncluded: false };
    return { kind: 'range', ...range, fill: `step-${steps[i] ?? 0}`, count: count(i) };
  });
  return {
    fills,
    legend: [
      { kind: 'missing', fill: 'missing', count: count('missing') },
      { kind: 'zero', fill: 'zero', count: count('zero') },
      ...ranges,
    ],
  };
}

/** One line of figures in a tooltip: a metric, its figure (null = not reported), and whether it is the one mapped. */
export type TooltipFigure = { metric: string; label: string; value: number | null; mapped: boolean };

/** What a country's tooltip says, before formatting and translation. */
export type TooltipContent = {
  code: string;
  name: string;
  status: MapStatus;
  /** Reported after the deadline (said also when the status is "reported 0"). */
  late: boolean;
  /** When its current figures were accepted; null when it has not reported. */
  acceptedAt: string | null;
  /** Every metric's figure, the mapped metric first; empty for a country that has not reported. */
  figures: TooltipFigure[];
};

/** The tooltip of a country: its name, where it stands, and its figures (the mapped metric first). */
export function tooltipContent(
  row: CountryRow,
  metrics: RollupView['metrics'],
  mode: MapMode,
  name: string = row.name,
): TooltipContent {
  const status = mapStatus(row);
  const mapped = mode.kind === 'metric' ? mode.metric : null;
  const figures =
    status === 'missing'
      ? []
      : metrics
          .map((m) => ({
            metric: m.id,
            label: m.label,
            value: row.figures[m.id] ?? null,
            mapped: m.id === mapped,
          }))
          .sort((a, b) => Number(b.mapped) - Number(a.mapped));
  return { code: row.code, name, status, late: row.status === 'late', acceptedAt: row.acceptedAt, figures };
}
