import { ApiError } from './api-client.ts';
import type { RollupView } from './api-types.ts';
import { type TimelineData, timelineChart, type Updatable } from './charts.ts';
import { byId, h, setHidden, setText, setTime } from './dom.ts';
import { pageIntlLocale, pageLocale, t } from './i18n.ts';
import type { TimelineApi } from './timeline-api.ts';
import {
  formatMoment,
  fromLocalInput,
  indexAt,
  mergeVersions,
  type TimelineEntry,
  timelineSeries,
  toLocalInput,
} from './timeline-model.ts';

/** Every user-facing text of the timeline and of the "as of" banner, in one place: read when shown, in the page's language. */
const TEXT = {
  get title() {
    return t('web.timeline.title');
  },
  get explain() {
    return t('web.timeline.explain');
  },
  get metric() {
    return t('web.charts.metric');
  },
  get chart() {
    return t('web.timeline.chart');
  },
  get versions() {
    return t('web.timeline.versions');
  },
  get showVersion() {
    return t('web.timeline.show-version');
  },
  get moment() {
    return t('web.timeline.moment');
  },
  get showMoment() {
    return t('web.timeline.show-moment');
  },
  get bannerLead() {
    return t('web.timeline.banner-lead');
  },
  get bannerTail() {
    return t('web.timeline.banner-tail');
  },
  get backToLive() {
    return t('web.timeline.back-to-live');
  },
  get empty() {
    return t('web.timeline.empty');
  },
  get loading() {
    return t('web.timeline.loading');
  },
  count: (n: number) => t('web.timeline.count', { count: n }),
  option: (at: string, reported: number, expected: number) =>
    t('web.timeline.option', { at, reported, expected }),
  get noMoment() {
    return t('web.timeline.no-moment');
  },
  noneYet: (at: string) => t('web.timeline.none-yet', { at }),
  failed: (message: string) => t('web.timeline.failed', { message }),
  announceAsOf: (at: string) => t('web.timeline.announce-as-of', { at }),
  get announceLive() {
    return t('web.timeline.announce-live');
  },
};

/** What the timeline asks of the page around it. */
export type TimelineHooks = {
  /** Stop live updates: the page is about to show a past moment. */
  pause(at: string): void;
  /** Show this rollup on the whole page. */
  show(rollup: RollupView): void;
  /** Show the live figures again and resume live updates. */
  resume(): void;
  /** Say something to screen readers. */
  announce(message: string): void;
};

/** The page's language for dates; English keeps the browser's own formats. */
const dateLocale = (): string | undefined => (pageLocale() === 'en' ? undefined : pageIntlLocale());
const moment = (iso: string) => formatMoment(iso, { locale: dateLocale() });
/** The time axis: day and time to the second (the tooltips and the list add the year and the zone). */
const tickFormat = () =>
  new Intl.DateTimeFormat(dateLocale(), {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

/**
 * The timeline of the headline totals by intake time, and the page's "as of" mode: choosing a
 * point, a version or a moment pauses live updates, shows the rollup as it stood then under an
 * unmistakable banner and puts `asOf` in the address (deep-linkable); "Back to live" undoes it.
 * The DOM is built once; each operation's timeline is loaded by `start`.
 */
export class TimelineView {
  readonly #section: HTMLElement;
  readonly #banner: HTMLElement;
  readonly #metric: HTMLSelectElement;
  readonly #version: HTMLSelectElement;
  readonly #moment: HTMLInputElement;
  readonly #note: HTMLElement;
  readonly #count: HTMLElement;
  readonly #canvas: HTMLCanvasElement;
  #chart: Updatable<TimelineData> | null = null;
  #api: TimelineApi | null = null;
  #op = '';
  #hooks: TimelineHooks | null = null;
  #entries: TimelineEntry[] = [];
  /** The cursor that asked for the last page: new versions are read again from there. */
  #resume: string | null = null;
  #loading: Promise<void> | null = null;
  #reloadWanted = false;
  #asOf: string | null = null;
  #session = 0;
  #request = 0;

  constructor() {
    this.#metric = h('select', { id: 'timeline-metric' });
    this.#version = h('select', { id: 'timeline-version' });
    this.#moment = h('input', { id: 'timeline-moment', type: 'datetime-local', step: '1' });
    this.#note = h('p', { id: 'timeline-note', class: 'subtle', role: 'status' });
    this.#count = h('span', { id: 'timeline-count', class: 'subtle' });
    this.#canvas = h('canvas', { id: 'timeline-chart', role: 'img', 'aria-label': TEXT.chart });
    const momentForm = h(
      'form',
      { class: 'timeline-pick', id: 'timeline-moment-form' },
      h('label', { for: 'timeline-moment' }, TEXT.moment),
      ' ',
      this.#moment,
      ' ',
      h('button', { type: 'submit' }, TEXT.showMoment),
    );
    const versionForm = h(
      'form',
      { class: 'timeline-pick', id: 'timeline-version-form' },
      h('label', { for: 'timeline-version' }, TEXT.versions),
      ' ',
      this.#version,
      ' ',
      h('button', { type: 'submit' }, TEXT.showVersion),
    );
    this.#section = h(
      'section',
      { id: 'timeline', class: 'panel timeline', 'aria-labelledby': 'timeline-title' },
      h(
        'div',
        { class: 'section-head' },
        h('h2', { id: 'timeline-title', tabindex: '-1' }, TEXT.title, ' ', this.#count),
        h('span', {}, h('label', { for: 'timeline-metric' }, TEXT.metric), ' ', this.#metric),
      ),
      h('p', { id: 'timeline-explain', class: 'help' }, TEXT.explain),
      h('div', { class: 'chart-box' }, this.#canvas),
      h('div', { class: 'timeline-controls' }, versionForm, momentForm),
      this.#note,
    );
    const back = h('button', { type: 'button', id: 'back-to-live' }, TEXT.backToLive);
    this.#banner = h(
      'div',
      {
        id: 'as-of-banner',
        class: 'as-of-banner',
        role: 'region',
        'aria-label': TEXT.bannerLead,
        hidden: '',
      },
      h(
        'p',
        {},
        h('strong', {}, TEXT.bannerLead, ' ', h('time', { id: 'as-of-time' }), TEXT.bannerTail),
        ' ',
        back,
      ),
    );
    const dashboard = byId('dashboard');
    dashboard.prepend(this.#banner);
    const charts = dashboard.querySelector('section.charts');
    dashboard.insertBefore(this.#section, charts ?? null);

    this.#metric.addEventListener('change', () => this.#render());
    versionForm.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.#version.value) void this.showAsOf(this.#version.value);
    });
    momentForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const at = fromLocalInput(this.#moment.value);
      if (at === null) setText(this.#note, TEXT.noMoment);
      else void this.showAsOf(at);
    });
    back.addEventListener('click', () => {
      this.backToLive();
      byId('timeline-title').focus();
    });
  }

  /** Whether the page shows a past moment (live figures must not replace it). */
  get viewingPast(): boolean {
    return this.#asOf !== null;
  }

  /**
   * Loads the timeline of `op`; with `asOf` (from the address), switches the page to that moment
   * at once, before any live figure is shown.
   */
  start(api: TimelineApi, op: string, hooks: TimelineHooks, asOf: string | null): void {
    this.stop();
    this.#api = api;
    this.#op = op;
    this.#hooks = hooks;
    setText(this.#note, TEXT.loading);
    if (asOf !== null) void this.showAsOf(asOf);
    void this.#reload();
  }

  /** Forgets the operation: no request of its answers is used any more. */
  stop(): void {
    this.#session += 1;
    this.#request += 1;
    this.#api = null;
    this.#hooks = null;
    this.#entries = [];
    this.#resume = null;
    this.#loading = null;
    this.#reloadWanted = false;
    // The address keeps its `asOf`: the next start (a reload, another operation) shows that moment.
    this.#asOf = null;
    setHidden(this.#banner, true);
    delete document.documentElement.dataset.asOf;
    this.#version.replaceChildren();
    setText(this.#count, '');
    setText(this.#note, '');
  }

  /** A live rollup arrived: its metrics name the chart's choices; a version not yet listed is read. */
  noteLive(rollup: RollupView): void {
    const ids = rollup.metrics.map((m) => m.id).join(' ');
    if (this.#metric.dataset.metrics !== ids) {
      const chosen = this.#metric.value;
      this.#metric.replaceChildren(...rollup.metrics.map((m) => h('option', { value: m.id }, m.label)));
      this.#metric.dataset.metrics = ids;
      if (rollup.metrics.some((m) => m.id === chosen)) this.#metric.value = chosen;
      this.#render();
    }
    const last = this.#entries.at(-1)?.version ?? 0;
    if (rollup.version > last) void this.#reload();
  }

  /** Shows the whole page as it stood at `at` (an ISO time), live updates paused. */
  async showAsOf(at: string): Promise<void> {
    const api = this.#api;
    const hooks = this.#hooks;
    if (!api || !hooks) return;
    const mine = ++this.#request;
    const wasLive = this.#asOf === null;
    this.#asOf = at;
    hooks.pause(at);
    try {
      const rollup = await api.rollupAsOf(this.#op, at);
      if (mine !== this.#request) return;
      hooks.show(rollup);
      this.#showBanner(at);
      setText(this.#note, '');
      hooks.announce(TEXT.announceAsOf(moment(at)));
    } catch (e) {
      if (mine !== this.#request) return;
      setText(
        this.#note,
        e instanceof ApiError && e.status === 404
          ? TEXT.noneYet(moment(at))
          : TEXT.failed(e instanceof Error ? e.message : String(e)),
      );
      // Nothing to show for that moment: stay where the page was.
      if (wasLive) this.backToLive(false);
      else this.#asOf = byId('as-of-time').getAttribute('datetime');
      return;
    }
    this.#render();
  }

  /** Leaves the past moment: the live figures again, live updates resumed. */
  backToLive(announce = true): void {
    if (this.#asOf === null && this.#banner.hidden) return;
    this.#request += 1;
    this.#leaveAsOf();
    this.#hooks?.resume();
    if (announce) this.#hooks?.announce(TEXT.announceLive);
    this.#render();
  }

  #leaveAsOf(): void {
    this.#asOf = null;
    setHidden(this.#banner, true);
    delete document.documentElement.dataset.asOf;
    setAddress(null);
  }

  #showBanner(at: string): void {
    setTime(byId('as-of-time'), at, moment(at));
    setHidden(this.#banner, false);
    document.documentElement.dataset.asOf = at;
    setAddress(at);
    this.#moment.value = toLocalInput(at);
  }

  /** Reads the history from where new versions may be (the whole of it the first time). */
  async #reload(): Promise<void> {
    if (this.#loading) {
      this.#reloadWanted = true;
      return this.#loading;
    }
    const session = this.#session;
    const api = this.#api;
    if (!api) return;
    this.#loading = (async () => {
      let cursor = this.#resume;
      try {
        for (;;) {
          const page = await api.historyPage(this.#op, cursor);
          if (session !== this.#session) return;
          this.#entries = mergeVersions(this.#entries, page.versions);
          if (page.cursor === null) break;
          cursor = page.cursor;
        }
        this.#resume = cursor;
        if (this.#note.textContent === TEXT.loading) setText(this.#note, '');
      } catch (e) {
        if (session === this.#session)
          setText(this.#note, TEXT.failed(e instanceof Error ? e.message : String(e)));
      }
      if (session === this.#session) this.#render();
    })();
    await this.#loading;
    if (session !== this.#session) return;
    this.#loading = null;
    if (this.#reloadWanted) {
      this.#reloadWanted = false;
      await this.#reload();
    }
  }

  #render(): void {
    const entries = this.#entries;
    setText(this.#count, `(${TEXT.count(entries.length)})`);
    if (entries.length === 0 && this.#note.textContent === '') setText(this.#note, TEXT.empty);
    const chosen = this.#asOf === null ? -1 : indexAt(entries, this.#asOf);
    const options = [...entries].reverse();
    if (this.#version.options.length !== options.length) {
      this.#version.replaceChildren(
        ...options.map((e) =>
          h(
            'option',
            { value: e.at, 'data-version': String(e.version) },
            TEXT.option(moment(e.at), e.reported, e.expected),
          ),
        ),
      );
    }
    if (chosen >= 0) this.#version.value = entries[chosen]!.at;
    const metric = this.#metric.value;
    if (!metric || entries.length === 0) return;
    this.#chart ??= timelineChart(this.#canvas, (index) => {
      const entry = this.#entries[index];
      if (entry) void this.showAsOf(entry.at);
    });
    const label = this.#metric.selectedOptions[0]?.textContent ?? metric;
    this.#chart.update({
      label,
      ...timelineSeries(entries, metric),
      selected: chosen,
      formatTime: (ms) => moment(new Date(ms).toISOString()),
      formatTick: (ms) => tickFormat().format(ms),
    });
  }

  /** Recolours the chart after a theme change. */
  restyle(): void {
    this.#chart?.restyle();
  }
}

/** Puts `asOf` in the address (or takes it out), keeping the rest: a reload or a shared link shows the same moment. */
function setAddress(at: string | null): void {
  const url = new URL(location.href);
  if (at === null) url.searchParams.delete('asOf');
  else url.searchParams.set('asOf', at);
  if (url.href !== location.href) history.replaceState(null, '', url);
}
