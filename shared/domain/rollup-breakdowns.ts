import type { CountryFigures } from './checks/figures.ts';
import type { Metric, Region } from './operation.ts';

/**
 * One metric's breakdown figures, in the order of its keys (`RollupBreakdowns.keys`): null = not
 * reported, 0 = reported zero, as in the rollup's other figures.
 */
export type BreakdownFigures = (number | null)[];

/** metric → its breakdown figures: only the metrics that have breakdowns. */
export type BreakdownValues = Record<string, BreakdownFigures>;

/**
 * A rollup's breakdowns (victims safeguarded by type of exploitation …), with the totals' semantics:
 * a country's figure is its return's (the sum over days, or the peak day for a gauge), a region's
 * and the global figure add up the countries' (for a gauge: the sum of the country peaks). A key
 * no country reported stays null. Countries are those of the rollup's `byCountry` (the reporting
 * ones), unless no metric has breakdowns: then none.
 *
 * Compact, since thousands of dashboards read it: each metric's keys are listed once, and every
 * figure list follows their order. Labels are the definition's; per-day breakdowns the countries'.
 */
export type RollupBreakdowns = {
  /** metric → its breakdown keys (`dimension=value`), in the definition's order. */
  keys: Record<string, string[]>;
  totals: BreakdownValues;
  byRegion: Record<string, BreakdownValues>;
  byCountry: Record<string, BreakdownValues>;
};

/** The breakdown keys of each metric that has breakdowns (`dimension=value`), in definition order. */
export function breakdownKeys(
  metrics: readonly Pick<Metric, 'id' | 'breakdowns'>[],
): Record<string, string[]> {
  const keys: Record<string, string[]> = {};
  for (const m of metrics) {
    const own = m.breakdowns.flatMap((b) => b.values.map((v) => `${b.dimension}=${v}`));
    if (own.length > 0) keys[m.id] = own;
  }
  return keys;
}

/**
 * The breakdowns of the reporting countries (`countries`, in the rollup's order, each with its
 * region). Keys the definition no longer lists are left out, as metrics are from the totals.
 */
export function rollupBreakdowns(
  metrics: readonly Pick<Metric, 'id' | 'breakdowns'>[],
  regions: readonly string[],
  countries: readonly { country: string; region: Region; figures: Pick<CountryFigures, 'byBreakdown'> }[],
): RollupBreakdowns {
  const keys = breakdownKeys(metrics);
  const entries = Object.entries(keys);
  const empty = (): BreakdownValues =>
    Object.fromEntries(entries.map(([metric, own]) => [metric, own.map(() => null)]));
  const totals = empty();
  const byRegion: Record<string, BreakdownValues> = Object.fromEntries(regions.map((r) => [r, empty()]));
  const byCountry: Record<string, BreakdownValues> = {};
  // No metric is broken down: nothing to list per country (2,000 empty objects are no figures).
  if (entries.length === 0) return { keys, totals, byRegion, byCountry };
  for (const { country, region, figures } of countries) {
    const own = empty();
    byRegion[region] ??= empty();
    const inRegion = byRegion[region];
    for (const [metric, metricKeys] of entries) {
      const reported = figures.byBreakdown[metric];
      if (!reported) continue;
      metricKeys.forEach((key, i) => {
        const n = reported[key];
        if (n === undefined) return;
        own[metric]![i] = n;
        add(totals[metric]!, i, n);
        add(inRegion[metric]!, i, n);
      });
    }
    byCountry[country] = own;
  }
  return { keys, totals, byRegion, byCountry };
}

/** One metric's breakdown figures by key (`dimension=value` → figure), e.g. to show or export them. */
export function breakdownByKey(
  breakdowns: Pick<RollupBreakdowns, 'keys'>,
  metric: string,
  figures: BreakdownFigures | undefined,
): Record<string, number | null> {
  const keys = breakdowns.keys[metric] ?? [];
  return Object.fromEntries(keys.map((k, i) => [k, figures?.[i] ?? null]));
}

function add(into: BreakdownFigures, i: number, n: number): void {
  into[i] = (into[i] ?? 0) + n;
}
