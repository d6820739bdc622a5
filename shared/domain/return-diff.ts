/**
 * What sending a return would change for its country. An upload replaces the country's figures
 * wholesale (invariant 1), so a day the current figures hold and the new file lacks disappears:
 * this comparison makes that visible before anything is sent. Plain data in, plain data out.
 */

/** The part of a country's figures the comparison reads: metric totals and per-day totals. */
export type DayFigures = {
  /** metric → the country's figure (sum over days, or the peak day for a gauge). */
  totals: Readonly<Record<string, number>>;
  /** date → metric → that day's total. */
  byDay: Readonly<Record<string, Readonly<Record<string, number>>>>;
};

/** What sending the file would do to one metric. `null` is "not reported", never 0. */
export type MetricChange = {
  metric: string;
  /** The figure that counts now (null: not reported). */
  current: number | null;
  /** The figure once the file counts (null: the file does not report it). */
  next: number | null;
  /** Days the file reports and the current figures do not, in date order. */
  daysAdded: string[];
  /** Days the current figures hold and the file does not: they would disappear. In date order. */
  daysRemoved: string[];
  /** Days both hold, with a different figure. In date order. */
  daysChanged: string[];
};

/** The comparison of a return with the figures that count now. */
export type ReturnDiff = {
  /** True when nothing counts for the country yet: every figure of the file is new. */
  firstReturn: boolean;
  /** One entry per metric either side reports, in the operation's metric order (others after, sorted). */
  metrics: MetricChange[];
  /** Every day that would lose at least one metric's figure, in date order. */
  daysRemoved: string[];
  /** True when the file would leave every figure as it is. */
  unchanged: boolean;
};

/**
 * Compares the figures that count now (`current`, null when the country has not reported) with
 * those a file would produce (`next`). Guarantees: a metric or day present on either side is
 * listed; a day present now and absent from the file is in `daysRemoved` (of its metric and of the
 * whole diff); a reported 0 is a figure, unlike an absent one.
 *
 * @example
 * returnDiff(['arrests'], { totals: { arrests: 5 }, byDay: { '2025-11-12': { arrests: 5 } } },
 *   { totals: { arrests: 7 }, byDay: { '2025-11-13': { arrests: 7 } } })
 * // metrics[0]: current 5 → next 7, daysAdded ['2025-11-13'], daysRemoved ['2025-11-12']
 */
export function returnDiff(
  metricOrder: readonly string[],
  current: DayFigures | null,
  next: DayFigures,
): ReturnDiff {
  const before = current ?? { totals: {}, byDay: {} };
  const metrics = orderedMetrics(metricOrder, [
    ...Object.keys(before.totals),
    ...Object.keys(next.totals),
    ...metricsByDay(before.byDay),
    ...metricsByDay(next.byDay),
  ]);
  const changes = metrics.map((metric): MetricChange => {
    const was = daysOf(before.byDay, metric);
    const will = daysOf(next.byDay, metric);
    const allDays = [...new Set([...was.keys(), ...will.keys()])].sort();
    return {
      metric,
      current: before.totals[metric] ?? null,
      next: next.totals[metric] ?? null,
      daysAdded: allDays.filter((d) => !was.has(d) && will.has(d)),
      daysRemoved: allDays.filter((d) => was.has(d) && !will.has(d)),
      daysChanged: allDays.filter((d) => was.has(d) && will.has(d) && was.get(d) !== will.get(d)),
    };
  });
  const daysRemoved = [...new Set(changes.flatMap((c) => c.daysRemoved))].sort();
  return {
    firstReturn: current === null,
    metrics: changes,
    daysRemoved,
    unchanged: changes.every(
      (c) =>
        c.current === c.next &&
        c.daysAdded.length === 0 &&
        c.daysRemoved.length === 0 &&
        c.daysChanged.length === 0,
    ),
  };
}

function metricsByDay(byDay: DayFigures['byDay']): string[] {
  return Object.values(byDay).flatMap((day) => Object.keys(day));
}

function orderedMetrics(order: readonly string[], present: readonly string[]): string[] {
  const seen = new Set(present);
  const known = order.filter((m) => seen.has(m));
  const others = [...seen].filter((m) => !order.includes(m)).sort();
  return [...known, ...others];
}

function daysOf(byDay: DayFigures['byDay'], metric: string): Map<string, number> {
  const days = new Map<string, number>();
  for (const [date, figures] of Object.entries(byDay)) {
    const value = figures[metric];
    if (value !== undefined) days.set(date, value);
  }
  return days;
}
