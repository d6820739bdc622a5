import type { Metric } from '../../shared/domain/operation.ts';
import type { OperationStatus, Participant, RollupView } from './api-types.ts';
import { BreakdownPanel } from './breakdown-chart.ts';
import { dayChart, regionChart, type Updatable } from './charts.ts';
import { CountryTable } from './country-table.ts';
import { byId, h, setAttr, setFigure, setHidden, setText, setTime, syncList } from './dom.ts';
import { ExportButtons } from './export-buttons.ts';
import {
  formatAgo,
  formatChange,
  formatCount,
  formatDateTime,
  formatDay,
  formatFigure,
  formatPercent,
} from './format.ts';
import { metricText, operationTitle, pageLocale, t, unitText } from './i18n.ts';
import { MapPanel } from './map-panel.ts';
import { regionName } from './sign-in-view.ts';
import {
  countryNames,
  countryRows,
  type DayChange,
  dayChange,
  daySeries,
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
  readonly #map = new MapPanel(byId('world-map'), byId<HTMLSelectElement>('map-mode'));
  #regionChart: Updatable<Parameters<ReturnType<typeof regionChart>['update']>[0]> | null = null;
  #dayChart: Updatable<Parameters<ReturnType<typeof dayChart>['update']>[0]> | null = null;
  readonly #breakdowns = new BreakdownPanel();
  readonly #exports = new ExportButtons();
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
  reset(participants: Participant[], metrics: readonly Metric[] = []): void {
    this.#participants = participants;
    // The definition's metrics label the breakdowns (without them, values read as their ids).
    this.#breakdowns.reset(metrics);
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
    this.#breakdowns.show(rollup);
    this.#exports.show(rollup);
    this.#map.update(rollup, this.#participants);
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
    this.#breakdowns.restyle();
  }

  #configure(rollup: RollupView): void {
    this.#metricSelect.replaceChildren(
      ...rollup.metrics.map((m) => h('option', { value: m.id }, metricText(m.id, m.label))),
    );
    const regions = [
      ...new Set([...Object.keys(rollup.byRegion), ...this.#participants.map((p) => p.region)]),
    ];
    this.#table.configure(rollup.metrics, regions);
    this.#map.configure(rollup.metrics);
    byId('headline').replaceChildren();
    this.#regionChart ??= regionChart(byId<HTMLCanvasElement>('region-chart'));
    this.#dayChart ??= dayChart(byId<HTMLCanvasElement>('day-chart'));
  }

  #updateHeader(rollup: RollupView): void {
    setText(byId('op-name'), operationTitle(rollup.name));
    const title = `${operationTitle(rollup.name)} · optally`;
    if (document.title !== title) document.title = title;
    const badge = byId('op-status');
    setAttr(badge, 'data-status', rollup.status);
    setText(badge, t(`web.op-status.${rollup.status}`));
    setTime(
      byId('updated-at'),
      rollup.updatedAt,
      rollup.updatedAt ? formatDateTime(rollup.updatedAt) : t('web.no-figures'),
    );
    this.tick(Date.now());
    setHidden(byId('op-meta'), false);
  }

  #updateHeadline(rollup: RollupView): void {
    const day = latestDay(rollup.byDay);
    setText(byId('latest-day'), day ? t('web.latest-day', { day: formatDay(day) }) : t('web.no-figures-dot'));
    syncList(
      byId('headline'),
      rollup.metrics,
      (m) => m.id,
      (m) =>
        h(
          'li',
          { class: 'card', 'data-metric': m.id },
          h('h3', { class: 'card-label', id: `card-${m.id}` }, metricText(m.id, m.label)),
          h('p', { class: 'card-value', 'aria-describedby': `card-${m.id}` }),
          h(
            'p',
            { class: 'card-unit' },
            m.aggregation === 'max'
              ? t('web.card.peak', { unit: unitText(m.id, m.unit) })
              : unitText(m.id, m.unit),
          ),
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
        changeText(rollup.totals[m.id] ?? null, dayChange(rollup, m.id)),
      );
    }
  }

  #updateProgress(rollup: RollupView): void {
    const { expected, reported, percent, onTime, missing, late } = rollup.progress;
    setText(byId('progress-count'), t('web.progress.count', { reported, expected }));
    setText(byId('progress-percent'), `(${formatPercent(percent)})`);
    const bar = byId<HTMLProgressElement>('progress-bar');
    if (bar.max !== Math.max(expected, 1)) bar.max = Math.max(expected, 1);
    if (bar.value !== reported) bar.value = reported;
    setAttr(
      bar,
      'aria-valuetext',
      t('web.progress.valuetext', { reported, expected, percent: formatPercent(percent) }),
    );
    setText(byId('progress-ontime'), formatCount(onTime));
    setText(byId('progress-late'), formatCount(late.length));
    setTime(byId('deadline'), rollup.reportingDeadline, formatDateTime(rollup.reportingDeadline));
    // Country names in the page's language (the runtime's CLDR names); English keeps the API's.
    const names = (codes: string[]) =>
      countryNames(codes, this.#participants, rollup.countries).map((c) =>
        pageLocale() === 'en' ? c : { ...c, name: regionName(c.code) },
      );
    this.#nameList('missing', names(missing), t('web.progress.all-reported'));
    this.#nameList('late', names(late), t('web.progress.no-late'));
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
    const label = metricText(metric.id, metric.label);
    this.#regionChart?.update({
      label,
      regions: regions.regions.map((r) => t('web.region', { region: r })),
      values: regions.values,
    });
    this.#dayChart?.update({ label, series: daySeries(rollup, metric.id) });
    setText(
      byId('day-caption'),
      metric.aggregation === 'max'
        ? t('web.chart.day-gauge', { metric: label })
        : t('web.chart.day-sum', { metric: label }),
    );
    setText(byId('region-caption'), t('web.chart.region', { metric: label }));
  }

  /** Announces only what a listener needs to hear: progress and status, not every figure. */
  #announceChanges(rollup: RollupView): void {
    const now = { reported: rollup.progress.reported, status: rollup.status };
    const before = this.#announced;
    this.#announced = now;
    if (!before) return;
    if (before.status !== now.status) this.announce(t('web.announce.status', { status: now.status }));
    else if (before.reported !== now.reported) {
      this.announce(
        t('web.announce.progress', { reported: now.reported, expected: rollup.progress.expected }),
      );
    }
  }
}

/** The line under a headline figure, in the page's language: `describeChange`'s words, translated. */
function changeText(total: number | null, change: DayChange): string {
  if (total === null) return t('web.not-reported');
  if (change === null) return t('web.change.none');
  const day = formatDay(change.date);
  return change.kind === 'added'
    ? t('web.change.added', { change: formatChange(change.change, 'added'), day })
    : t('web.change.delta', { change: formatChange(change.change, 'delta'), day });
}
