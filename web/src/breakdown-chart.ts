import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import type { Metric } from '../../shared/domain/operation.ts';
import type { RollupView } from './api-types.ts';
import {
  type BreakdownArea,
  type BreakdownSeries,
  breakdownAreas,
  breakdownMetrics,
  breakdownSeries,
} from './breakdown-model.ts';
import type { Updatable } from './charts.ts';
import { byId, h, setAttr, setHidden, setText } from './dom.ts';
import { formatCount } from './format.ts';
import { pageLocale, t } from './i18n.ts';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

/** The definition's metrics as the panel reads them: labels and breakdowns. */
type MetricTexts = Pick<Metric, 'id' | 'label' | 'labels' | 'breakdowns'>;

/** Colours from the style sheet (as charts.ts reads them), so the projector theme recolours this chart too. */
function palette() {
  const style = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#1a1a1a'),
    grid: v('--grid', '#d0d4da'),
    bar: v('--chart-secondary', '#b34700'),
    fontSize: Number.parseFloat(style.fontSize) || 16,
  };
}

/**
 * Horizontal bars, one per breakdown value (long labels read across), mirrored on a right-to-left
 * page. A value not reported has no bar and reads "—" in the canvas's description; 0 reads 0.
 */
export function breakdownChart(canvas: HTMLCanvasElement): Updatable<BreakdownSeries & { caption: string }> {
  const rtl = () => document.documentElement.dir === 'rtl';
  const scales = (p: ReturnType<typeof palette>) => {
    const ticks = { color: p.text, font: { size: p.fontSize * 0.8 }, precision: 0 };
    return {
      x: { beginAtZero: true, reverse: rtl(), ticks, grid: { color: p.grid } },
      y: { position: rtl() ? ('right' as const) : ('left' as const), ticks, grid: { display: false } },
    };
  };
  let p = palette();
  const chart = new Chart<'bar', (number | null)[], string>(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [{ label: '', data: [], backgroundColor: p.bar }] },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false }, tooltip: { enabled: true, rtl: rtl() } },
      scales: scales(p),
    },
  });
  return {
    update(s) {
      chart.data.labels = s.labels;
      const set = chart.data.datasets[0]!;
      set.label = s.label;
      set.data = s.values;
      chart.update('none');
      const parts = s.labels.map((l, i) => `${l} ${formatCount(s.values[i] ?? null)}`);
      setAttr(canvas, 'aria-label', parts.length ? `${s.caption}: ${parts.join(', ')}.` : s.caption);
    },
    restyle() {
      p = palette();
      chart.data.datasets[0]!.backgroundColor = p.bar;
      chart.options.scales = scales(p);
      chart.update('none');
    },
    destroy: () => chart.destroy(),
  };
}

/**
 * The breakdowns panel: a metric menu (the metrics with breakdowns), an area menu (all participants,
 * or a region), the chart and a note when there is nothing to draw. Hidden when the operation
 * breaks nothing down. Built once per operation, then updated in place with each rollup.
 */
export class BreakdownPanel {
  readonly #section = byId('breakdown-section');
  readonly #metricSelect = byId<HTMLSelectElement>('breakdown-metric');
  readonly #areaSelect = byId<HTMLSelectElement>('breakdown-area');
  #chart: ReturnType<typeof breakdownChart> | null = null;
  #definition: readonly MetricTexts[] = [];
  #current: RollupView | null = null;
  /** The menus' options as last built, so they are rebuilt only when they change. */
  #menus = '';

  constructor() {
    this.#metricSelect.addEventListener('change', () => this.#render());
    this.#areaSelect.addEventListener('change', () => this.#render());
  }

  /** The definition's metrics (labels, breakdowns and their value labels); forgets the rollup shown. */
  reset(definition: readonly MetricTexts[]): void {
    this.#definition = definition;
    this.#current = null;
    this.#menus = '';
  }

  show(rollup: RollupView): void {
    this.#current = rollup;
    const locale = pageLocale();
    const metrics = breakdownMetrics(rollup, this.#definition, locale);
    setHidden(this.#section, metrics.length === 0);
    if (metrics.length === 0) return;
    const areas = breakdownAreas(rollup);
    const menus = JSON.stringify([metrics, areas]);
    if (menus !== this.#menus) {
      this.#menus = menus;
      const keep = { metric: this.#metricSelect.value, area: this.#areaSelect.value };
      this.#metricSelect.replaceChildren(...metrics.map((m) => h('option', { value: m.id }, m.label)));
      this.#areaSelect.replaceChildren(...areas.map((a) => h('option', { value: a }, areaName(a))));
      if (metrics.some((m) => m.id === keep.metric)) this.#metricSelect.value = keep.metric;
      if (areas.includes(keep.area)) this.#areaSelect.value = keep.area;
      setHidden(this.#metricSelect.parentElement!, metrics.length < 2);
    }
    this.#chart ??= breakdownChart(byId<HTMLCanvasElement>('breakdown-chart'));
    this.#render();
  }

  restyle(): void {
    this.#chart?.restyle();
  }

  #render(): void {
    const rollup = this.#current;
    if (!rollup || !this.#chart) return;
    const area: BreakdownArea = this.#areaSelect.value || 'global';
    const s = breakdownSeries(rollup, this.#definition, this.#metricSelect.value, area, pageLocale());
    const caption = t('web.breakdown.caption', {
      metric: s.label,
      dimension: s.dimension,
      area: areaName(area),
    });
    setText(byId('breakdown-caption'), caption);
    this.#chart.update({ ...s, caption });
    setAttr(this.#section, 'data-state', s.state);
    setText(
      byId('breakdown-note'),
      s.state === 'unavailable'
        ? t('web.breakdown.unavailable')
        : s.state === 'none-reported'
          ? t('web.breakdown.none-reported')
          : '',
    );
  }
}

function areaName(area: BreakdownArea): string {
  return area === 'global' ? t('web.breakdown.global') : t('web.region', { region: area });
}
