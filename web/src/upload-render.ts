/** What the Send panel draws from a dry run: its problems and what the file would change. */
import type { Report } from '../../shared/domain/check-return.ts';
import type { Operation } from '../../shared/domain/operation.ts';
import type { ReturnDiff } from '../../shared/domain/return-diff.ts';
import { byId, h, setFigure, setHidden, setText } from './dom.ts';
import { formatDateTime, formatDay, formatFigure, formatStatus } from './format.ts';
import { metricText, problemText, t } from './i18n.ts';
import type { CountryView } from './upload-api.ts';

/** The "what would change" table: per metric now → after, days added, changed and removed. */
export function renderChanges(diff: ReturnDiff, now: CountryView, operation: Operation): void {
  const label = (id: string) => metricText(id, operation.metrics.find((m) => m.id === id)?.label ?? id);
  setText(
    byId('changes-basis'),
    now.reported
      ? t('web.send.basis', { received: formatDateTime(now.receivedAt) })
      : t('web.send.basis-none'),
  );
  const warning = byId('changes-warning');
  setHidden(warning, diff.daysRemoved.length === 0);
  setText(
    warning,
    diff.daysRemoved.length === 0
      ? ''
      : t('web.send.removes-days', { count: diff.daysRemoved.length, days: dayList(diff.daysRemoved) }),
  );
  setHidden(byId('changes-none'), !diff.unchanged);
  byId('changes-body').replaceChildren(
    ...diff.metrics.map((m) => {
      return h(
        'tr',
        { 'data-metric': m.metric, 'data-removed': m.daysRemoved.length > 0 ? 'true' : 'false' },
        h('th', { scope: 'row' }, label(m.metric)),
        figureCell(m.current),
        figureCell(m.next),
        h('td', {}, m.daysAdded.length ? dayList(m.daysAdded) : '—'),
        h('td', {}, m.daysChanged.length ? dayList(m.daysChanged) : '—'),
        h(
          'td',
          { class: m.daysRemoved.length ? 'removed' : '' },
          m.daysRemoved.length ? dayList(m.daysRemoved) : '—',
        ),
      );
    }),
  );
}

/** The dry run's problems as a table: row, column, value, problem, hint. */
export function renderProblems(report: Report): void {
  const problems = report.problems;
  setHidden(byId('dry-problems-wrap'), problems.length === 0);
  setText(byId('dry-problems-none'), problems.length === 0 ? t('web.agency.no-problems') : '');
  byId('dry-problems-body').replaceChildren(
    ...problems.map((p) =>
      h(
        'tr',
        { 'data-severity': p.severity, 'data-code': p.code },
        h('td', { class: 'num' }, p.row === null ? '—' : String(p.row)),
        h('td', {}, p.column ?? '—'),
        h('td', {}, h('code', {}, p.value ?? '—')),
        h(
          'td',
          {},
          h('span', { class: 'pill', 'data-status': p.severity }, formatStatus(t(`severity.${p.severity}`))),
          ' ',
          problemText(p).message,
        ),
        h('td', {}, problemText(p).hint),
      ),
    ),
  );
  const omitted = report.problemsOmitted;
  setHidden(byId('dry-problems-omitted'), omitted === 0);
  setText(byId('dry-problems-omitted'), t('web.send.more-problems', { count: omitted }));
}

/** A table cell showing a figure ("—" read as "not reported" for null, 0 as 0). */
export function figureCell(value: number | null): HTMLTableCellElement {
  const td = h('td', { class: 'num' });
  setFigure(td, formatFigure(value));
  return td;
}

/** "12 Nov, 13 Nov and 4 more": days named, up to six. */
export function dayList(days: readonly string[]): string {
  const named = days.slice(0, 6).map((d) => formatDay(d));
  const more = days.length - named.length;
  return more > 0 ? t('web.send.day-list-more', { days: named.join(', '), count: more }) : named.join(', ');
}
