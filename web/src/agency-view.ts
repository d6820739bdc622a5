import type { Operation } from '../../shared/domain/operation.ts';
import type { Api } from './api-client.ts';
import type { Submission, SubmissionReport } from './api-types.ts';
import { byId, h, setAttr, setHidden, setText, setTime, syncList } from './dom.ts';
import {
  fileName,
  formatBytes,
  formatCount,
  formatDateTime,
  formatDay,
  formatStatus,
  shortHash,
} from './format.ts';
import { problemText, t } from './i18n.ts';
import type { CountryView, UploadApi } from './upload-api.ts';
import { UploadPanel } from './upload-panel.ts';
import { figureCell } from './upload-render.ts';

/** Newest first: the order an agency reads its history in. */
export function newestFirst(submissions: readonly Submission[]): Submission[] {
  return [...submissions].sort(
    (a, b) => b.receivedAt.localeCompare(a.receivedAt) || b.id.localeCompare(a.id),
  );
}

/** What the agency view needs besides the read client: the upload client and the definition. */
export type AgencyOptions = { uploads: UploadApi; definition: Operation };

/**
 * An agency's view: the "Send a return" panel, the figures that count for the country now, its
 * own submissions (its ledger), newest first, and the validation report of one of them (the
 * newest, until the user picks another). It polls, so a file being checked turns into accepted or
 * rejected by itself, and the figures follow.
 */
export class AgencyView {
  #etag: string | null = null;
  #submissions: Submission[] = [];
  #selected: string | null = null;
  #pinned = false;
  /** `id|status|processedAt` of the report shown: refetched only when that changes. */
  #reportBasis: string | null = null;

  /** The figures that count now are asked for again when the submission list changed. */
  #currentStale = true;

  constructor(
    private readonly api: Api,
    private readonly operation: string,
    private readonly country: string,
    countryName: string,
    private readonly options: AgencyOptions,
  ) {
    setText(byId('agency-country'), `${countryName} (${country})`);
    setText(byId('current-country'), `${countryName} (${country})`);
    new UploadPanel(options.uploads, options.definition, country, {
      onVerdict: (submissionId) => {
        this.#selected = submissionId;
        this.#pinned = true;
        this.#etag = null;
        this.#currentStale = true;
        void this.refresh().catch(() => undefined);
      },
    });
  }

  /** One poll of the submission list; rejects when the API cannot be reached. */
  async refresh(): Promise<void> {
    const answer = await this.api.listSubmissions(this.operation, this.country, this.#etag);
    if (answer.status === 'ok') {
      this.#etag = answer.etag;
      this.#submissions = newestFirst(answer.body);
      this.#currentStale = true;
      this.#renderList();
    }
    if (this.#currentStale) {
      // A country answer the API cannot give (one above a Lambda response's 6 MB, for a return
      // broken down by thousands of units) must not stop the list and the reports from updating.
      try {
        this.#renderCurrent(await this.options.uploads.getCountry(this.operation, this.country));
      } catch (e) {
        this.#currentUnavailable(e);
      }
      this.#currentStale = false;
    }
    await this.#refreshReport();
  }

  #currentUnavailable(e: unknown): void {
    setHidden(byId('current-none'), false);
    setHidden(byId('current-wrap'), true);
    setText(
      byId('current-none'),
      t('web.agency.current-failed', { reason: e instanceof Error ? e.message : String(e) }),
    );
  }

  /** The figures that count now: per metric, the figure, the days reported and the latest one. */
  #renderCurrent(now: CountryView): void {
    setText(byId('current-none'), t('web.agency.current-none'));
    setHidden(byId('current-none'), now.reported);
    setHidden(byId('current-wrap'), !now.reported);
    if (!now.reported) {
      setText(byId('current-from'), '');
      byId('current-body').replaceChildren();
      return;
    }
    setText(
      byId('current-from'),
      t('web.agency.current-from', {
        received: formatDateTime(now.receivedAt),
        submission: now.submissionId,
        accepted: formatDateTime(now.acceptedAt),
      }),
    );
    const days = Object.keys(now.byDay).sort();
    byId('current-body').replaceChildren(
      ...this.options.definition.metrics
        .filter((m) => now.totals[m.id] !== undefined || days.some((d) => now.byDay[d]?.[m.id] !== undefined))
        .map((m) => {
          const reported = days.filter((d) => now.byDay[d]?.[m.id] !== undefined);
          const last = reported.at(-1);
          return h(
            'tr',
            { 'data-metric': m.id },
            h('th', { scope: 'row' }, m.label),
            figureCell(now.totals[m.id] ?? null),
            h('td', { class: 'num' }, formatCount(reported.length)),
            h('td', {}, last ? formatDay(last) : '—'),
          );
        }),
    );
  }

  #renderList(): void {
    const list = this.#submissions;
    setHidden(byId('submissions-empty'), list.length > 0);
    setHidden(byId('submissions-wrap'), list.length === 0);
    if (!this.#pinned || !list.some((s) => s.id === this.#selected)) {
      this.#selected = list[0]?.id ?? null;
      this.#pinned = false;
    }
    syncList(
      byId('submissions-body'),
      list,
      (s) => s.id,
      (s) => {
        const button = h('button', { type: 'button', class: 'link-button' }, t('web.agency.show-report'));
        button.addEventListener('click', () => {
          this.#selected = s.id;
          this.#pinned = true;
          this.#renderList();
          void this.#refreshReport().then(() => byId('report-title').focus());
        });
        return h(
          'tr',
          {},
          h('td', {}, h('time')),
          h('th', { scope: 'row', class: 'file' }),
          h('td', { class: 'num' }),
          h('td', {}, h('span', { class: 'pill' })),
          h('td', { class: 'num' }),
          h('td', { class: 'num' }),
          h('td', {}, h('code', { class: 'hash' })),
          h('td', {}, button),
        );
      },
    );
    for (const tr of Array.from(byId<HTMLTableSectionElement>('submissions-body').rows)) {
      const s = list.find((x) => x.id === tr.dataset.key);
      if (!s) continue;
      const [received, file, size, status, errors, warnings, hash, action] = Array.from(tr.cells);
      setTime(received!.firstElementChild as HTMLElement, s.receivedAt, formatDateTime(s.receivedAt));
      setText(file!, fileName(s.key));
      setText(size!, formatBytes(s.size));
      const pill = status!.firstElementChild as HTMLElement;
      setAttr(pill, 'data-status', s.status);
      setText(pill, t(`web.verdict.${s.status}`));
      setText(errors!, formatCount(s.errors));
      setText(warnings!, formatCount(s.warnings));
      const code = hash!.firstElementChild as HTMLElement;
      setText(code, shortHash(s.sha256));
      setAttr(code, 'title', s.sha256);
      const selected = s.id === this.#selected;
      setAttr(tr, 'aria-current', selected ? 'true' : null);
      const button = action!.firstElementChild as HTMLElement;
      setAttr(
        button,
        'aria-label',
        t('web.agency.show-report-of', { file: fileName(s.key), received: formatDateTime(s.receivedAt) }),
      );
    }
  }

  async #refreshReport(): Promise<void> {
    const selected = this.#submissions.find((s) => s.id === this.#selected);
    setHidden(byId('report'), !selected);
    if (!selected) return;
    const basis = `${selected.id}|${selected.status}|${selected.processedAt ?? ''}`;
    if (basis === this.#reportBasis) return;
    const { submission, report } = await this.api.getSubmission(this.operation, selected.id);
    this.#reportBasis = basis;
    this.#renderReport(submission, report);
  }

  #renderReport(s: Submission, report: SubmissionReport | null): void {
    setText(byId('report-file'), fileName(s.key));
    const verdict = byId('report-verdict');
    const word = report?.verdict ?? s.status;
    setAttr(verdict, 'data-status', word);
    setText(verdict, s.status === 'processing' ? t('web.agency.being-checked') : t(`web.verdict.${word}`));
    setText(byId('report-rows'), report ? formatCount(report.counts.rows) : '—');
    setText(byId('report-errors'), formatCount(report?.counts.errors ?? s.errors));
    setText(byId('report-warnings'), formatCount(report?.counts.warnings ?? s.warnings));
    setTime(byId('report-received'), s.receivedAt, formatDateTime(s.receivedAt));
    setText(byId('report-sha'), s.sha256 ?? '—');
    const problems = report?.problems ?? [];
    setHidden(byId('problems-wrap'), problems.length === 0);
    setText(
      byId('problems-none'),
      s.status === 'processing'
        ? t('web.agency.report-filling')
        : problems.length === 0
          ? t('web.agency.no-problems')
          : '',
    );
    const body = byId<HTMLTableSectionElement>('problems-body');
    body.replaceChildren(
      ...problems.map((p) =>
        h(
          'tr',
          { 'data-severity': p.severity },
          h(
            'td',
            {},
            h(
              'span',
              { class: 'pill', 'data-status': p.severity },
              formatStatus(t(`severity.${p.severity}`)),
            ),
          ),
          h('td', { class: 'num' }, p.row === null ? '—' : String(p.row)),
          h('td', {}, p.column ?? '—'),
          h('td', {}, h('code', {}, p.value ?? '—')),
          h('td', {}, h('code', {}, p.code)),
          h('td', {}, problemText(p).message),
          h('td', {}, problemText(p).hint),
        ),
      ),
    );
    const omitted = report?.problemsOmitted ?? 0;
    setHidden(byId('problems-omitted'), omitted === 0);
    setText(byId('problems-omitted'), t('web.agency.more-problems', { count: formatCount(omitted) }));
  }
}
