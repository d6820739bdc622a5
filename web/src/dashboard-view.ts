import type { OperationStatus, Participant, RollupView } from './api-types.ts';
import { dayChart, regionChart, type Updatable } from './charts.ts';
import { CountryTable } from './country-table.ts';
import { byId, h, setAttr, setFigure, setHidden, setText, setTime, syncList } from './dom.ts';
import {
  formatAgo,
  formatCount,
  formatDateTime,
  formatDay,
  formatFigure,
  formatPercent,
  formatStatus,
} from './format.ts';
import {
  countryNames,
  countryRows,
  dayChange,
  daySeries,
  describeChange,
  latestDay,
  regionSeries,
} from './view-model.ts';

/** Says something to screen readers through the page's one polite live region. */
export type Announce = (message: string) => void;

/**
 * The coordination view: headline figures, reporting progress, charts and the country table.
 * It is built once per operation and then only updated in place.
 */
export class DashboardView {
  #participants: Participant[] = [];
  readonly #table: CountryTable;
  readonly #metricSelect = byId<HTMLSelectElement>('chart-metric');
  #regionChart: Updatable<Parameters<ReturnType<typeof regionChart>['update']>[0]> | null = null;
  #dayChart: Updatable<Parameters<ReturnType<typeof dayChart>['update']>[0]> | null = null;
  #current: RollupView | null = null;
  #announced: { reported: number; status: OperationStatus } | null = null;

  constructor(private readonly announce: Announce) {
    this.#table = new CountryTable({
      head: byId<HTMLTableRowElement>('country-head'),
      body: byId<HTMLTableSectionElement>('country-body'),
      count: byId('country-count'),
      regionSelect: byId<HTMLSelectElement>('region-filter'),
      statusSelect: byId<HTMLSelectElement>('status-filter'),
    });
    this.#metricSelect.addEventListener('change', () => this.#updateCharts());
  }

  /** Forgets what was shown: the next rollup (of this operation's participants) builds the view afresh. */
  reset(participants: Participant[]): void {
    this.#participants = participants;
    this.#current = null;
    this.#announced = null;
  }

  /** Shows a rollup (the caller has already checked it is not stale). */
  show(rollup: RollupView): void {
    const first = this.#current === null || this.#current.operation !== rollup.operation;
    this.#current = rollup;
    if (first) this.#configure(rollup);
    this.#updateHeader(rollup);
    this.#updateHeadline(rollup);
    this.#updateProgress(rollup);
    this.#updateCharts();
    this.#table.update(countryRows(rollup, this.#participants));
    this.#announceChanges(rollup);
  }

  /** Refreshes the "… ago" texts between polls. */
  tick(now: number): void {
    if (this.#current)
      setText(
        byId('updated-ago'),
        this.#current.updatedAt ? `(${formatAgo(this.#current.updatedAt, now)})` : '',
      );
  }

  /** Recolours the charts after a theme change. */
  restyle(): void {
    this.#regionChart?.restyle();
    this.#dayChart?.restyle();
  }

  #configure(rollup: RollupView): void {
    this.#metricSelect.replaceChildren(...rollup.metrics.map((m) => h('option', { value: m.id }, m.label)));
    const regions = [
      ...new Set([...Object.keys(rollup.byRegion), ...this.#participants.map((p) => p.region)]),
    ];
    this.#table.configure(rollup.metrics, regions);
    byId('headline').replaceChildren();
    this.#regionChart ??= regionChart(byId<HTMLCanvasElement>('region-chart'));
    this.#dayChart ??= dayChart(byId<HTMLCanvasElement>('day-chart'));
  }

  #updateHeader(rollup: RollupView): void {
    setText(byId('op-name'), rollup.name);
    const title = `${rollup.name} · optally`;
    if (document.title !== title) document.title = title;
    const badge = byId('op-status');
    setAttr(badge, 'data-status', rollup.status);
    setText(badge, formatStatus(rollup.status));
    setTime(
      byId('updated-at'),
      rollup.updatedAt,
      rollup.updatedAt ? formatDateTime(rollup.updatedAt) : 'no figures yet',
    );
    this.tick(Date.now());
    setHidden(byId('op-meta'), false);
  }

  #updateHeadline(rollup: RollupView): void {
    const day = latestDay(rollup.byDay);
    setText(byId('latest-day'), day ? `· latest day with figures: ${formatDay(day)}` : '· no figures yet');
    syncList(
      byId('headline'),
      rollup.metrics,
      (m) => m.id,
      (m) =>
        h(
          'li',
          { class: 'card', 'data-metric': m.id },
          h('h3', { class: 'card-label', id: `card-${m.id}` }, m.label),
          h('p', { class: 'card-value', 'aria-describedby': `card-${m.id}` }),
          h('p', { class: 'card-unit' }, m.aggregation === 'max' ? `${m.unit}, peak per country` : m.unit),
          h('p', { class: 'card-change' }),
        ),
      () => undefined,
    );
    for (const m of rollup.metrics) {
      const card = byId('headline').querySelector<HTMLElement>(`[data-key="${CSS.escape(m.id)}"]`);
      if (!card) continue;
      setFigure(card.querySelector<HTMLElement>('.card-value')!, formatFigure(rollup.totals[m.id] ?? null));
      setText(
        card.querySelector('.card-change')!,
        describeChange(rollup.totals[m.id] ?? null, dayChange(rollup, m.id)),
      );
    }
  }

  #updateProgress(rollup: RollupView): void {
    const { expected, reported, percent, onTime, missing, late } = rollup.progress;
    setText(byId('progress-count'), `${reported} of ${expected} countries reported`);
    setText(byId('progress-percent'), `(${formatPercent(percent)})`);
    const bar = byId<HTMLProgressElement>('progress-bar');
    if (bar.max !== Math.max(expected, 1)) bar.max = Math.max(expected, 1);
    if (bar.value !== reported) bar.value = reported;
    setAttr(bar, 'aria-valuetext', `${reported} of ${expected} countries, ${formatPercent(percent)}`);
    setText(byId('progress-ontime'), formatCount(onTime));
    setText(byId('progress-late'), formatCount(late.length));
    setTime(byId('deadline'), rollup.reportingDeadline, formatDateTime(rollup.reportingDeadline));
    const names = (codes: string[]) => countryNames(codes, this.#participants, rollup.countries);
    this.#nameList('missing', names(missing), 'Every country has reported.');
    this.#nameList('late', names(late), 'No late reports.');
  }

  #nameList(id: 'missing' | 'late', countries: { code: string; name: string }[], none: string): void {
    setText(byId(`${id}-count`), String(countries.length));
    const list = byId(`${id}-list`);
    syncList(
      list,
      countries,
      (c) => c.code,
      (c) => h('li', { title: c.code }, c.name),
    );
    setText(byId(`${id}-none`), countries.length === 0 ? none : '');
  }

  #updateCharts(): void {
    const rollup = this.#current;
    if (!rollup) return;
    const metric = rollup.metrics.find((m) => m.id === this.#metricSelect.value) ?? rollup.metrics[0];
    if (!metric) return;
    const regions = regionSeries(rollup, metric.id);
    this.#regionChart?.update({ label: metric.label, regions: regions.regions, values: regions.values });
    this.#dayChart?.update({ label: metric.label, series: daySeries(rollup, metric.id) });
    setText(
      byId('day-caption'),
      metric.aggregation === 'max'
        ? `${metric.label} by day (daily figures; a gauge has no running total)`
        : `${metric.label} by day: daily and cumulative`,
    );
    setText(byId('region-caption'), `${metric.label} by region`);
  }

  /** Announces only what a listener needs to hear: progress and status, not every figure. */
  #announceChanges(rollup: RollupView): void {
    const now = { reported: rollup.progress.reported, status: rollup.status };
    const before = this.#announced;
    this.#announced = now;
    if (!before) return;
    if (before.status !== now.status) this.announce(`The operation is now ${now.status}.`);
    else if (before.reported !== now.reported) {
      this.announce(`${now.reported} of ${rollup.progress.expected} countries have reported.`);
    }
  }
}
