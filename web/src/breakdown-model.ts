import type { Metric } from '../../shared/domain/operation.ts';
import { breakdownLabel, breakdownValueLabel, metricLabel } from '../../shared/domain/operation-texts.ts';
import type { Locale } from '../../shared/i18n/locale.ts';
import type { RollupView } from './api-types.ts';

/**
 * What the breakdown chart shows, computed from a rollup and the definition's metrics: plain data
 * in, plain data out, no DOM. Labels come from the definition's texts in the page's language;
 * a metric or value the definition does not describe reads as its identifier.
 */

/** The area the chart is for: every participant (`global`) or one region. */
export type BreakdownArea = 'global' | string;

/** A metric that has breakdowns, as the metric menu lists it. */
export type BreakdownMetric = { id: string; label: string };

/** The chart's data. */
export type BreakdownSeries = {
  metric: string;
  /** The metric's label in the page's language. */
  label: string;
  /** The dimension's label (several dimensions: their labels joined by " / "). */
  dimension: string;
  /** One per breakdown value, in the definition's order. */
  labels: string[];
  /** null = not reported, 0 = reported zero. */
  values: (number | null)[];
  /**
   * `ok`; `none-reported`: no country has reported any of these values (in this area);
   * `unavailable`: the rollup carries no breakdowns (stored before it did).
   */
  state: 'ok' | 'none-reported' | 'unavailable';
};

type MetricTexts = Pick<Metric, 'id' | 'label' | 'labels' | 'breakdowns'>;

/** The metrics the menu offers: those the rollup (or else the definition) breaks down, in definition order. */
export function breakdownMetrics(
  rollup: Pick<RollupView, 'metrics' | 'breakdowns'>,
  definition: readonly MetricTexts[],
  locale: Locale,
): BreakdownMetric[] {
  const byId = new Map(definition.map((m) => [m.id, m]));
  const broken = rollup.breakdowns
    ? new Set(Object.keys(rollup.breakdowns.keys))
    : new Set(definition.filter((m) => m.breakdowns.length > 0).map((m) => m.id));
  return rollup.metrics
    .filter((m) => broken.has(m.id))
    .map((m) => {
      const own = byId.get(m.id);
      return { id: m.id, label: own ? metricLabel(own, locale) : m.label };
    });
}

/** The areas the area menu offers: `global`, then the rollup's regions. */
export function breakdownAreas(rollup: Pick<RollupView, 'byRegion'>): BreakdownArea[] {
  return ['global', ...Object.keys(rollup.byRegion)];
}

/**
 * The chart of `metric`'s breakdown in `area`: each value's label and figure. A region the rollup
 * does not know reads as not reported.
 */
export function breakdownSeries(
  rollup: Pick<RollupView, 'metrics' | 'breakdowns'>,
  definition: readonly MetricTexts[],
  metric: string,
  area: BreakdownArea,
  locale: Locale,
): BreakdownSeries {
  const own = definition.find((m) => m.id === metric);
  const label = own
    ? metricLabel(own, locale)
    : (rollup.metrics.find((m) => m.id === metric)?.label ?? metric);
  const dimensions = own?.breakdowns ?? [];
  const dimension = dimensions.map((b) => breakdownLabel(b, locale)).join(' / ');
  const b = rollup.breakdowns;
  if (!b) return { metric, label, dimension, labels: [], values: [], state: 'unavailable' };
  const keys = b.keys[metric] ?? [];
  const figures = (area === 'global' ? b.totals : b.byRegion[area])?.[metric];
  const values = keys.map((_, i) => figures?.[i] ?? null);
  const labels = keys.map((key) => valueLabel(dimensions, key, locale));
  const state = values.every((v) => v === null) ? 'none-reported' : 'ok';
  return { metric, label, dimension: dimension || keys[0]?.split('=')[0] || '', labels, values, state };
}

/**
 * How a key (`dimension=value`) reads: the value's label; prefixed with its dimension's label when
 * the metric is broken down several ways (values of two dimensions may share a name).
 */
function valueLabel(dimensions: MetricTexts['breakdowns'], key: string, locale: Locale): string {
  const at = key.indexOf('=');
  const dimension = key.slice(0, at);
  const value = key.slice(at + 1);
  const b = dimensions.find((d) => d.dimension === dimension);
  if (!b) return value;
  const text = breakdownValueLabel(b, value, locale);
  return dimensions.length > 1 ? `${breakdownLabel(b, locale)}: ${text}` : text;
}
