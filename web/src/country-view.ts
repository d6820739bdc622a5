/**
 * One country's drill-down (`#/countries/{CC}`): its current submission and figures (by day, by
 * breakdown), its full history of submissions with verdicts, and what each correction changed.
 * Coordinators, auditors and admins open any participant; an agency its own (the API refuses the
 * others with 403, said here in a sentence). A code that names no participant is "not found",
 * checked against the definition before asking the API (which answers 404 `unknown-country`).
 * `refresh` (on every rollup change, or an agency's poll) redraws only when something changed.
 */
import type {
  CountryView as CountryAnswer,
  FiguresSummary,
  SubmissionView,
} from '../../shared/api/responses.ts';
import { type Operation, windowDates } from '../../shared/domain/operation.ts';
import { participantName } from '../../shared/domain/operation-texts.ts';
import { ApiError } from './api-client.ts';
import type { CountryApi } from './country-api.ts';
import {
  breakdownTables,
  dayRows,
  figuresToLoad,
  findParticipant,
  history,
  historyKey,
} from './country-model.ts';
import { breakdownTable, correctionBlock, dayTable, historyTable, totalsTable } from './country-render.ts';
import { h, setHidden, setText } from './dom.ts';
import { fileName, formatDateTime } from './format.ts';
import { pageLocale, t } from './i18n.ts';

/** What the drill-down is opened with. */
export type CountryContext = {
  api: CountryApi;
  operation: string;
  definition: Operation;
  /** The code as the address wrote it (upper-cased). */
  code: string;
  /** The agency's own country when an agency is signed in, else null. */
  ownCountry: string | null;
};

/** Figures of submissions loaded at once. */
const PARALLEL = 4;

export class CountryView {
  readonly #announce: (message: string) => void;
  readonly #title = h('h2', { id: 'country-title', tabindex: '-1' });
  readonly #subtitle = h('p', { class: 'subtle', id: 'country-subtitle' });
  readonly #message = h('p', { id: 'country-message', class: 'alert', role: 'alert', hidden: true });
  readonly #status = h('p', { id: 'country-status', class: 'subtle', role: 'status' });
  readonly #body = h('div', { id: 'country-body', hidden: true });
  readonly #back = h('a', { href: '#/', class: 'back-link' });
  #context: CountryContext | null = null;
  /** Bumped on every open and close: an answer for an earlier one is dropped. */
  #generation = 0;
  #shownKey: string | null = null;
  /** The load running, if any, and whether another was asked for meanwhile. */
  #busy: Promise<void> | null = null;
  #again = false;
  /** Figures of submissions, by operation then id: a stored submission's figures never change. */
  readonly #figures = new Map<string, FiguresSummary | null>();

  constructor(host: HTMLElement, announce: (message: string) => void) {
    this.#announce = announce;
    host.replaceChildren(
      h('nav', { class: 'back' }, this.#back),
      this.#title,
      this.#subtitle,
      this.#message,
      this.#status,
      this.#body,
    );
  }

  /** Shows a country (or its "not found"), loading its figures and history. */
  open(context: CountryContext): void {
    this.#generation += 1;
    this.#context = context;
    this.#shownKey = null;
    this.#busy = null;
    this.#again = false;
    this.#body.replaceChildren();
    setHidden(this.#body, true);
    this.#showMessage('');
    setText(this.#back, context.ownCountry ? t('web.country.back-agency') : t('web.country.back'));
    const participant = findParticipant(context.code, context.definition.participants);
    if (!participant) {
      setText(this.#title, t('web.country.not-found-title'));
      setText(this.#subtitle, '');
      setText(this.#status, '');
      this.#showMessage(t('web.country.not-found', { code: context.code }));
      return;
    }
    setText(this.#title, participantName(participant, pageLocale()));
    setText(this.#subtitle, `${participant.code} · ${t('web.region', { region: participant.region })}`);
    setText(this.#status, t('web.country.loading'));
    void this.refresh();
  }

  /** Stops showing the country: late answers are dropped. */
  close(): void {
    this.#generation += 1;
    this.#context = null;
  }

  /** Reloads what may have changed; redraws only when the history or the figures that count moved. */
  refresh(): Promise<void> {
    if (!this.#context || !findParticipant(this.#context.code, this.#context.definition.participants))
      return Promise.resolve();
    // One load at a time: refreshes asked for during a load make one more load after it, not a queue.
    if (this.#busy) {
      this.#again = true;
      return this.#busy;
    }
    const generation = this.#generation;
    const run = async (): Promise<void> => {
      do {
        this.#again = false;
        await this.#load().catch(() => undefined);
      } while (this.#again && generation === this.#generation);
      if (generation === this.#generation) this.#busy = null;
    };
    this.#busy = run();
    return this.#busy;
  }

  async #load(): Promise<void> {
    const context = this.#context;
    if (!context) return;
    const generation = this.#generation;
    const { api, operation, code } = context;
    let country: CountryAnswer;
    let submissions: SubmissionView[];
    try {
      [country, submissions] = await Promise.all([
        api.country(operation, code),
        api.submissions(operation, code),
      ]);
    } catch (e) {
      if (generation === this.#generation) this.#failed(e, context);
      return;
    }
    if (generation !== this.#generation) return;
    const currentId = country.reported ? country.submissionId : null;
    const key = `${historyKey(submissions, currentId)}|${country.reported ? country.acceptedAt : ''}`;
    if (key === this.#shownKey) return;
    const missing = figuresToLoad(submissions, (id) => this.#figures.has(`${operation}/${id}`));
    try {
      for (let i = 0; i < missing.length; i += PARALLEL) {
        const batch = missing.slice(i, i + PARALLEL);
        const loaded = await Promise.all(batch.map((id) => api.figures(operation, id)));
        for (const [j, id] of batch.entries()) this.#figures.set(`${operation}/${id}`, loaded[j] ?? null);
      }
    } catch (e) {
      if (generation === this.#generation) this.#failed(e, context);
      return;
    }
    if (generation !== this.#generation) return;
    const redraw = this.#shownKey !== null;
    this.#shownKey = key;
    this.#render(context, country, submissions);
    if (redraw) this.#announce(t('web.country.updated', { country: this.#title.textContent ?? code }));
  }

  #failed(e: unknown, context: CountryContext): void {
    setText(this.#status, '');
    if (e instanceof ApiError && e.status === 403) {
      const own = context.ownCountry;
      this.#showMessage(
        own
          ? t('web.country.forbidden-agency', { own: participantLabel(context, own), code: context.code })
          : t('web.country.forbidden', { reason: e.message }),
      );
    } else if (e instanceof ApiError && e.status === 404) {
      this.#showMessage(t('web.country.not-found', { code: context.code }));
    } else {
      this.#showMessage(t('web.country.failed', { reason: e instanceof Error ? e.message : String(e) }));
      return;
    }
    setHidden(this.#body, true);
    this.#shownKey = null;
  }

  #showMessage(message: string): void {
    setText(this.#message, message);
    setHidden(this.#message, message === '');
  }

  #render(context: CountryContext, country: CountryAnswer, submissions: SubmissionView[]): void {
    const { definition, operation } = context;
    const metrics = definition.metrics;
    const metricIds = metrics.map((m) => m.id);
    const currentId = country.reported ? country.submissionId : null;
    const figuresOf = (id: string) => this.#figures.get(`${operation}/${id}`);
    const entries = history(metricIds, submissions, currentId, figuresOf);
    const byId = new Map(submissions.map((s) => [s.id, s]));
    this.#showMessage('');
    setText(this.#status, '');

    const current = country.reported
      ? h(
          'dl',
          { class: 'report-summary', id: 'country-current' },
          entry(t('web.column.file'), fileName(byId.get(country.submissionId)?.key ?? country.submissionId)),
          entry(t('web.column.received'), formatDateTime(country.receivedAt)),
          entry(t('web.column.accepted'), formatDateTime(country.acceptedAt)),
          entry(t('web.country.first-accepted'), formatDateTime(country.firstAcceptedAt)),
        )
      : h('p', { id: 'country-current', 'data-state': 'missing' }, t('web.country.not-reported'));

    const totals = country.reported ? country.totals : null;
    const byDay = country.reported ? country.byDay : {};
    const breakdowns =
      country.reported && country.figuresDetail === 'full'
        ? breakdownTables(metrics, country.byBreakdown, country.byDayBreakdown)
        : breakdownTables(metrics, {}, {});
    const sections: (Node | string)[] = [
      h('h3', {}, t('web.country.current-title')),
      current,
      h('h3', {}, t('web.country.totals-title')),
      totalsTable(metrics, totals),
      h('h3', {}, t('web.country.by-day-title')),
      h('div', { id: 'country-days' }, dayTable(metrics, dayRows(metricIds, windowDates(definition), byDay))),
    ];
    if (breakdowns.length > 0) {
      sections.push(
        h('h3', {}, t('web.country.breakdowns-title')),
        h(
          'div',
          { id: 'country-breakdowns', class: 'country-breakdowns' },
          ...breakdowns.map((b) => breakdownTable(metrics.find((m) => m.id === b.metric)!, b)),
        ),
      );
      if (country.reported && country.figuresDetail === 'summary')
        sections.push(h('p', { class: 'help' }, t('web.country.breakdowns-too-large')));
    }
    sections.push(
      h('h3', { id: 'country-history-title' }, t('web.country.history-title')),
      submissions.length === 0
        ? h('p', { id: 'country-history-empty' }, t('web.country.history-empty'))
        : h('div', { id: 'country-history' }, historyTable(entries)),
    );
    const corrections = entries.filter((e) => typeof e.correction === 'object' && e.correction !== null);
    if (corrections.length > 0) {
      sections.push(
        h('h3', { id: 'country-changes-title' }, t('web.country.changes-title')),
        h(
          'div',
          { id: 'country-changes' },
          ...corrections.map((e) => {
            const c = e.correction as Exclude<typeof e.correction, 'pending' | null>;
            return correctionBlock(metrics, e.submission, byId.get(c.replaced), c);
          }),
        ),
      );
    }
    this.#body.replaceChildren(...sections);
    setHidden(this.#body, false);
  }
}

function entry(term: string, value: string): HTMLElement {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}

function participantLabel(context: CountryContext, code: string): string {
  const p = context.definition.participants.find((x) => x.code === code);
  return p ? participantName(p, pageLocale()) : code;
}
