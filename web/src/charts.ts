import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { setAttr } from './dom.ts';
import { formatCount, formatDay } from './format.ts';
import { t } from './i18n.ts';
import type { TimePoint } from './timeline-model.ts';
import type { DaySeries } from './view-model.ts';

// Only what the three charts use, so the bundle carries no other chart types.
Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip,
);

/** Colours come from the style sheet, so the projector theme recolours the charts too. */
type Palette = { text: string; grid: string; primary: string; secondary: string; fontSize: number };

function palette(): Palette {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#1a1a1a'),
    grid: v('--grid', '#d0d4da'),
    primary: v('--chart-primary', '#0b5cad'),
    secondary: v('--chart-secondary', '#b34700'),
    fontSize: Number.parseFloat(style.fontSize) || 16,
  };
}

/** Right-to-left pages (Arabic) mirror the charts: time runs from the right, the legend reads from the right. */
const rtl = (): boolean => document.documentElement.dir === 'rtl';
/** The side an axis sits on, mirrored on a right-to-left page. */
const side = (start: boolean): 'left' | 'right' => (start !== rtl() ? 'left' : 'right');

function baseOptions(p: Palette) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false as const,
    font: { size: p.fontSize },
    plugins: {
      legend: { rtl: rtl(), labels: { color: p.text, font: { size: p.fontSize * 0.85 } } },
      tooltip: { enabled: true, rtl: rtl() },
    },
  };
}

function axis(p: Palette, extra: Record<string, unknown> = {}) {
  return {
    ticks: { color: p.text, font: { size: p.fontSize * 0.8 }, precision: 0 },
    grid: { color: p.grid },
    ...extra,
  };
}

/** A chart that is updated in place (`update('none')`: no animation, nothing blanks). */
export type Updatable<T> = { update(data: T): void; restyle(): void; destroy(): void };

/** The bar chart of one metric by region. */
export function regionChart(
  canvas: HTMLCanvasElement,
): Updatable<{ label: string; regions: string[]; values: (number | null)[] }> {
  let p = palette();
  const chart = new Chart<'bar', (number | null)[], string>(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [{ label: '', data: [], backgroundColor: p.primary }] },
    options: {
      ...baseOptions(p),
      plugins: { ...baseOptions(p).plugins, legend: { display: false } },
      scales: { x: axis(p, { reverse: rtl() }), y: axis(p, { beginAtZero: true, position: side(true) }) },
    },
  });
  return {
    update({ label, regions, values }) {
      chart.data.labels = regions;
      const set = chart.data.datasets[0]!;
      set.label = label;
      set.data = values;
      chart.update('none');
      const parts = regions.map((r, i) => `${r} ${formatCount(values[i] ?? null)}`);
      setAttr(canvas, 'aria-label', `${t('web.chart.region', { metric: label })}: ${parts.join(', ')}.`);
    },
    restyle() {
      p = palette();
      chart.data.datasets[0]!.backgroundColor = p.primary;
      chart.options.scales = {
        x: axis(p, { reverse: rtl() }),
        y: axis(p, { beginAtZero: true, position: side(true) }),
      };
      chart.update('none');
    },
    destroy: () => chart.destroy(),
  };
}

/** Daily bars and (for flows) a cumulative line on a second axis. */
export function dayChart(canvas: HTMLCanvasElement): Updatable<{ label: string; series: DaySeries }> {
  let p = palette();
  const scales = (q: Palette) => ({
    x: axis(q, { reverse: rtl() }),
    y: axis(q, {
      beginAtZero: true,
      position: side(true),
      title: { display: true, text: t('web.chart.daily'), color: q.text },
    }),
    cumulative: axis(q, {
      beginAtZero: true,
      position: side(false),
      grid: { drawOnChartArea: false, color: q.grid },
      title: { display: true, text: t('web.chart.cumulative'), color: q.text },
    }),
  });
  const chart = new Chart<'bar' | 'line', (number | null)[], string>(canvas, {
    type: 'bar',
    data: {
      labels: [],
      datasets: [
        {
          type: 'bar',
          label: t('web.chart.daily'),
          data: [],
          backgroundColor: p.primary,
          yAxisID: 'y',
          order: 2,
        },
        {
          type: 'line',
          label: t('web.chart.cumulative'),
          data: [],
          borderColor: p.secondary,
          backgroundColor: p.secondary,
          borderWidth: 3,
          pointRadius: 3,
          yAxisID: 'cumulative',
          order: 1,
          spanGaps: true,
        },
      ],
    },
    options: { ...baseOptions(p), scales: scales(p) },
  });
  return {
    update({ label, series }) {
      chart.data.labels = series.days.map((d) => formatDay(d));
      const [daily, cumulative] = chart.data.datasets as [
        (typeof chart.data.datasets)[number],
        (typeof chart.data.datasets)[number],
      ];
      daily.label = t('web.chart.series-daily', { metric: label });
      daily.data = series.daily;
      cumulative.label = t('web.chart.series-cumulative', { metric: label });
      cumulative.data = series.cumulative ?? [];
      cumulative.hidden = series.cumulative === null;
      const axes = chart.options.scales as Record<string, { display?: boolean }>;
      if (axes.cumulative) axes.cumulative.display = series.cumulative !== null;
      chart.update('none');
      const reported = series.days
        .map((d, i) => ({ d, v: series.daily[i] ?? null }))
        .filter((x) => x.v !== null)
        .map((x) => `${formatDay(x.d)} ${formatCount(x.v)}`);
      const total = series.cumulative?.at(-1);
      setAttr(
        canvas,
        'aria-label',
        `${label} by day: ${reported.length ? reported.join(', ') : 'no figures yet'}` +
          (total === undefined || total === null ? '.' : `; cumulative ${formatCount(total)}.`),
      );
    },
    restyle() {
      p = palette();
      const [daily, cumulative] = chart.data.datasets;
      if (daily) daily.backgroundColor = p.primary;
      if (cumulative) {
        cumulative.borderColor = p.secondary;
        cumulative.backgroundColor = p.secondary;
      }
      const display = (chart.options.scales as Record<string, { display?: boolean }>).cumulative?.display;
      const next = scales(p);
      chart.options.scales = { ...next, cumulative: { ...next.cumulative, display: display ?? true } };
      chart.update('none');
    },
    destroy: () => chart.destroy(),
  };
}

/** What the timeline chart shows: one metric's total and the countries reported, by time received. */
export type TimelineData = {
  label: string;
  total: TimePoint[];
  reported: TimePoint[];
  /** The index of the version the page shows "as of" (drawn larger), or -1 when live. */
  selected: number;
  /** How the chart's text (tooltips, description) names a moment. */
  formatTime: (ms: number) => string;
  /** How the time axis names a moment (shorter). */
  formatTick: (ms: number) => string;
};

/**
 * The headline total of one metric and the countries reported, stepped (a version holds until the
 * next), on a time axis. `onPick` receives the index of the point nearest a click.
 */
export function timelineChart(
  canvas: HTMLCanvasElement,
  onPick: (index: number) => void,
): Updatable<TimelineData> {
  let p = palette();
  let formatTime: (ms: number) => string = (ms) => new Date(ms).toISOString();
  let formatTick = formatTime;
  const scales = (q: Palette) => ({
    x: axis(q, {
      type: 'linear',
      reverse: rtl(),
      ticks: { ...axis(q).ticks, callback: (v: number | string) => formatTick(Number(v)) },
    }),
    y: axis(q, {
      beginAtZero: true,
      position: side(true),
      title: { display: true, text: t('web.chart.total'), color: q.text },
    }),
    reported: axis(q, {
      beginAtZero: true,
      position: side(false),
      grid: { drawOnChartArea: false, color: q.grid },
      title: { display: true, text: t('web.chart.countries-reported'), color: q.text },
    }),
  });
  const chart = new Chart<'line', TimePoint[]>(canvas, {
    type: 'line',
    data: {
      datasets: [
        {
          label: '',
          data: [],
          borderColor: p.primary,
          backgroundColor: p.primary,
          borderWidth: 3,
          stepped: true,
          yAxisID: 'y',
        },
        {
          label: t('web.chart.countries-reported'),
          data: [],
          borderColor: p.secondary,
          backgroundColor: p.secondary,
          borderWidth: 2,
          borderDash: [6, 4],
          stepped: true,
          yAxisID: 'reported',
        },
      ],
    },
    options: {
      ...baseOptions(p),
      parsing: false,
      scales: scales(p),
      plugins: {
        ...baseOptions(p).plugins,
        tooltip: { enabled: true, callbacks: { title: (items) => formatTime(items[0]?.parsed.x ?? 0) } },
      },
    },
  });
  canvas.addEventListener('click', (event) => {
    const near = chart.getElementsAtEventForMode(
      event,
      'nearest',
      { intersect: false, axis: 'x', includeInvisible: true },
      false,
    );
    if (near[0]) onPick(near[0].index);
  });
  const radii = (n: number, selected: number) =>
    Array.from({ length: n }, (_, i) => (i === selected ? 9 : 3));
  return {
    update({ label, total, reported, selected, formatTime: format, formatTick: tick }) {
      formatTime = format;
      formatTick = tick;
      const [totals, countries] = chart.data.datasets as [
        (typeof chart.data.datasets)[number],
        (typeof chart.data.datasets)[number],
      ];
      totals.label = t('web.chart.series-total', { metric: label });
      totals.data = total;
      totals.pointRadius = radii(total.length, selected);
      countries.data = reported;
      countries.pointRadius = radii(reported.length, selected);
      chart.update('none');
      const last = total.at(-1);
      setAttr(
        canvas,
        'aria-label',
        last === undefined
          ? `${label} by time received: no figures yet.`
          : `${label} by time received: ${total.length} versions, the latest ${formatCount(last.y)} at ${format(last.x)}, ` +
              `${formatCount(reported.at(-1)?.y ?? null)} countries reported. The list of versions below gives each one.`,
      );
    },
    restyle() {
      p = palette();
      const [totals, countries] = chart.data.datasets;
      if (totals) {
        totals.borderColor = p.primary;
        totals.backgroundColor = p.primary;
      }
      if (countries) {
        countries.borderColor = p.secondary;
        countries.backgroundColor = p.secondary;
      }
      chart.options.scales = scales(p);
      chart.update('none');
    },
    destroy: () => chart.destroy(),
  };
}
