/**
 * The press summary (`#/press`): one printable page for the press conference — the headline
 * figures, reporting progress, the world map, one metric by region, and what each figure means
 * (the definition's notes). It follows the live rollup in place; printed (web/print.css), it fits
 * one A4 page. Coordinators, auditors and admins only: agencies cannot read the global rollup.
 */

import type { Operation } from '../../shared/domain/operation.ts';
import { metricNote } from '../../shared/domain/operation-texts.ts';
import type { Participant, RollupView } from './api-types.ts';
import { regionChart, type Updatable } from './charts.ts';
import { h, setAttr, setFigure, setHidden, setText, setTime, syncList } from './dom.ts';
import { formatCount, formatDateTime, formatFigure, formatPercent } from './format.ts';
import { metricText, operationTitle, pageLocale, t, unitText } from './i18n.ts';
import { regionSeries } from './view-model.ts';
import { WorldMap } from './world-map.ts';

type RegionData = Parameters<ReturnType<typeof regionChart>['update']>[0];

export class PressView {
  readonly #title = h('h2', { id: 'press-title', tabindex: '-1' });
  readonly #subtitle = h('p', { class: 'press-subtitle' });
  readonly #asOf = h('time', { id: 'press-as-of' });
  readonly #state = h('p', { id: 'press-state', class: 'press-state' });
  readonly #message = h('p', { id: 'press-message', class: 'alert', role: 'alert', hidden: true });
  readonly #cards = h('ul', { id: 'press-cards', class: 'press-cards' });
  readonly #progressLine = h('p', { id: 'press-progress', class: 'press-progress-line' });
  readonly #progressBar = h('progress', { id: 'press-progress-bar', max: '1', value: '0' });
  readonly #progressDetail = h('p', { id: 'press-progress-detail', class: 'subtle' });
  readonly #mapHost = h('div', { id: 'press-map', class: 'press-map' });
  readonly #metricSelect = h('select', { id: 'press-metric' });
  readonly #regionCaption = h('figcaption', { id: 'press-region-caption' });
  readonly #canvas = h('canvas', { id: 'press-region-chart', role: 'img' });
  readonly #notes = h('dl', { id: 'press-notes', class: 'press-notes' });
  readonly #source = h('p', { id: 'press-source', class: 'subtle' });
  readonly #sheet: HTMLElement;
  #map: WorldMap | null = null;
  #chart: Updatable<RegionData> | null = null;
  #definition: Operation | null = null;
  #participants: Participant[] = [];
  #rollup: RollupView | null = null;

  constructor(host: HTMLElement) {
    const print = h('button', { type: 'button', id: 'press-print' }, t('web.press.print'));
    print.addEventListener('click', () => window.print());
    this.#metricSelect.addEventListener('change', () => this.#updateChart());
    this.#sheet = h(
      'article',
      { class: 'press-sheet', 'aria-labelledby': 'press-title' },
      h(
        'div',
        { class: 'press-actions' },
        h('a', { href: '#/', class: 'back-link' }, t('web.press.back')),
        h(
          'span',
          {},
          h('label', { for: 'press-metric' }, t('web.press.chart-metric')),
          ' ',
          this.#metricSelect,
        ),
        print,
      ),
      h(
        'header',
        { class: 'press-head' },
        this.#title,
        this.#subtitle,
        h('p', { class: 'press-as-of' }, t('web.press.as-of'), ' ', this.#asOf),
        this.#state,
      ),
      this.#message,
      h('section', { class: 'press-headline', 'aria-label': t('web.press.headline') }, this.#cards),
      h(
        'section',
        { class: 'press-progress', 'aria-labelledby': 'press-progress-title' },
        h('h3', { id: 'press-progress-title' }, t('web.progress.title')),
        this.#progressLine,
        this.#progressBar,
        this.#progressDetail,
      ),
      h(
        'div',
        { class: 'press-visuals' },
        h('figure', { class: 'press-map-figure' }, h('figcaption', {}, t('web.press.map')), this.#mapHost),
        h(
          'figure',
          { class: 'press-region' },
          this.#regionCaption,
          h('div', { class: 'chart-box press-chart-box' }, this.#canvas),
        ),
      ),
      h(
        'section',
        { class: 'press-notes-section', 'aria-labelledby': 'press-notes-title' },
        h('h3', { id: 'press-notes-title' }, t('web.press.notes')),
        this.#notes,
      ),
      h('footer', { class: 'press-foot' }, this.#source),
    );
    host.replaceChildren(this.#sheet);
  }

  /** The operation shown: its definition (for the notes) and participants (for the map). */
  configure(definition: Operation): void {
    this.#definition = definition;
    this.#participants = definition.participants;
    this.#rollup = null;
    const locale = pageLocale();
    this.#metricSelect.replaceChildren(
      ...definition.metrics.map((m) => h('option', { value: m.id }, metricText(m.id, m.label))),
    );
    this.#notes.replaceChildren(
      ...definition.metrics.map((m) =>
        h(
          'div',
          { class: 'press-note' },
          h('dt', { 'data-metric': m.id }, metricText(m.id, m.label)),
          h('dd', { 'data-metric': m.id }, metricNote(m, locale) ?? t('web.press.no-note')),
        ),
      ),
    );
    setText(this.#title, operationTitle(definition.name));
    setText(this.#subtitle, t('web.press.title'));
    setText(this.#state, t('web.press.waiting'));
    this.refused(null);
  }

  /** Says why the summary cannot be shown (an agency), or (null) clears it. */
  refused(message: string | null): void {
    setText(this.#message, message ?? '');
    setHidden(this.#message, message === null);
    for (const child of Array.from(this.#sheet.children) as HTMLElement[]) {
      if (child !== this.#message && !child.classList.contains('press-actions') && child.tagName !== 'HEADER')
        setHidden(child, message !== null);
    }
  }

  /** Shows a rollup (the caller has checked it is not stale). */
  show(rollup: RollupView): void {
    this.#rollup = rollup;
    this.#map ??= new WorldMap(this.#mapHost, { interactive: false });
    this.#chart ??= regionChart(this.#canvas);
    setText(this.#title, operationTitle(rollup.name));
    setTime(
      this.#asOf,
      rollup.updatedAt,
      rollup.updatedAt ? asOfText(rollup.updatedAt) : t('web.no-figures'),
    );
    setText(this.#state, t('web.press.status', { status: rollup.status }));
    setAttr(this.#state, 'data-op-status', rollup.status);
    this.#updateCards(rollup);
    this.#updateProgress(rollup);
    this.#map.update(rollup, this.#participants);
    this.#updateChart();
    setText(this.#source, t('web.press.source', { version: rollup.version }));
  }

  /** Recolours the chart after a theme change. */
  restyle(): void {
    this.#chart?.restyle();
  }

  #updateCards(rollup: RollupView): void {
    syncList(
      this.#cards,
      rollup.metrics,
      (m) => m.id,
      (m) =>
        h(
          'li',
          { class: 'press-card', 'data-metric': m.id },
          h('span', { class: 'press-card-value' }),
          h('span', { class: 'press-card-label' }, metricText(m.id, m.label)),
          h(
            'span',
            { class: 'press-card-unit' },
            m.aggregation === 'max'
              ? t('web.card.peak', { unit: unitText(m.id, m.unit) })
              : unitText(m.id, m.unit),
          ),
        ),
    );
    for (const m of rollup.metrics) {
      const value = this.#cards.querySelector<HTMLElement>(
        `[data-key="${CSS.escape(m.id)}"] .press-card-value`,
      );
      if (value) setFigure(value, formatFigure(rollup.totals[m.id] ?? null));
    }
  }

  #updateProgress(rollup: RollupView): void {
    const { expected, reported, percent, onTime, late } = rollup.progress;
    setText(
      this.#progressLine,
      `${t('web.progress.count', { reported, expected })} (${formatPercent(percent)})`,
    );
    const bar = this.#progressBar as HTMLProgressElement;
    bar.max = Math.max(expected, 1);
    bar.value = reported;
    setAttr(
      bar,
      'aria-valuetext',
      t('web.progress.valuetext', { reported, expected, percent: formatPercent(percent) }),
    );
    setText(
      this.#progressDetail,
      t('web.press.progress-detail', {
        onTime: formatCount(onTime),
        late: formatCount(late.length),
        missing: formatCount(rollup.progress.missing.length),
        deadline: formatDateTime(rollup.reportingDeadline),
      }),
    );
  }

  #updateChart(): void {
    const rollup = this.#rollup;
    if (!rollup || !this.#chart) return;
    const metric = rollup.metrics.find((m) => m.id === this.#metricSelect.value) ?? rollup.metrics[0];
    if (!metric) return;
    const label = metricText(metric.id, metric.label);
    const regions = regionSeries(rollup, metric.id);
    this.#chart.update({
      label,
      regions: regions.regions.map((r) => t('web.region', { region: r })),
      values: regions.values,
    });
    setText(this.#regionCaption, t('web.chart.region', { metric: label }));
  }

  /** Whether an operation is configured (the view can show a rollup). */
  get configured(): boolean {
    return this.#definition !== null;
  }
}

/** The time the figures stand at, with the time zone it is written in (a printed page has no hover). */
function asOfText(iso: string): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return `${formatDateTime(iso)} (${zone})`;
}
