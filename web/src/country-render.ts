/**
 * The country drill-down's tables, built from its model (country-model.ts): figures by day, by
 * breakdown, the submission history and what each correction changed. Every figure goes through
 * `setFigure`: "—" (read "not reported") is never shown for a reported 0.
 */
import type { SubmissionView } from '../../shared/api/responses.ts';
import type { Operation } from '../../shared/domain/operation.ts';
import { breakdownLabel, breakdownValueLabel } from '../../shared/domain/operation-texts.ts';
import type { BreakdownTable, Correction, DayRow, FigureChange, HistoryEntry } from './country-model.ts';
import { h, hashCode, setFigure } from './dom.ts';
import { fileName, formatCount, formatDateTime, formatDay, formatFigure, shortHash } from './format.ts';
import { metricText, pageLocale, t } from './i18n.ts';

type Metric = Operation['metrics'][number];

/** A table cell holding one figure (number or null). */
function figureCell(value: number | null, attributes: Record<string, string> = {}): HTMLTableCellElement {
  const cell = h('td', { class: 'num', ...attributes });
  setFigure(cell, formatFigure(value));
  return cell;
}

/**
 * A table with a caption for screen readers, a header row and body rows; the header cells of the
 * columns of figures (`numeric`, by index: all but the first when not given) are aligned as they are.
 */
function table(
  caption: string,
  head: (string | Node)[],
  rows: HTMLTableRowElement[],
  numeric: (i: number) => boolean = (i) => i > 0,
): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', { class: 'sr-only' }, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...head.map((c, i) => h('th', { scope: 'col', class: numeric(i) ? 'num' : undefined }, c)),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
  );
}

/** The country's figure over the operation, one row per metric (a gauge: its peak day). */
export function totalsTable(metrics: readonly Metric[], totals: Record<string, number> | null): HTMLElement {
  const rows = metrics.map((m) =>
    h(
      'tr',
      { 'data-metric': m.id },
      h('th', { scope: 'row' }, metricText(m.id, m.label)),
      figureCell(totals?.[m.id] ?? null),
      h(
        'td',
        { class: 'subtle' },
        m.aggregation === 'max' ? t('web.country.peak-day') : t('web.country.sum-of-days'),
      ),
    ),
  );
  return table(
    t('web.country.totals-caption'),
    [t('web.country.metric'), t('web.country.figure'), ''],
    rows,
    (i) => i === 1,
  );
}

/** The figures by day: a row per day, a column per metric. */
export function dayTable(metrics: readonly Metric[], rows: readonly DayRow[]): HTMLElement {
  const body = rows.map((r) =>
    h(
      'tr',
      { 'data-date': r.date },
      h('th', { scope: 'row' }, h('time', { datetime: r.date }, formatDay(r.date))),
      ...r.figures.map((f, i) => figureCell(f, { 'data-metric': metrics[i]!.id })),
    ),
  );
  return table(
    t('web.country.by-day-caption'),
    [t('web.country.day'), ...metrics.map((m) => metricText(m.id, m.label))],
    body,
  );
}

/** One table per metric and breakdown dimension: a row per value, over the operation and by day. */
export function breakdownTable(metric: Metric, b: BreakdownTable): HTMLElement {
  const dimension = metric.breakdowns.find((d) => d.dimension === b.dimension)!;
  const locale = pageLocale();
  const title = t('web.country.breakdown-of', {
    metric: metricText(metric.id, metric.label),
    dimension: breakdownLabel(dimension, locale),
  });
  const rows = b.rows.map((r) =>
    h(
      'tr',
      { 'data-value': r.value },
      h('th', { scope: 'row' }, breakdownValueLabel(dimension, r.value, locale)),
      figureCell(r.total, { 'data-day': 'total' }),
      ...r.byDay.map((f, i) => figureCell(f, { 'data-day': b.days[i]! })),
    ),
  );
  return h(
    'figure',
    { class: 'breakdown', 'data-metric': metric.id, 'data-dimension': b.dimension },
    h('figcaption', {}, title),
    table(
      title,
      [
        breakdownLabel(dimension, locale),
        t('web.country.whole-operation'),
        ...b.days.map((d) => formatDay(d)),
      ],
      rows,
    ),
  );
}

/** What the history's last column says of a submission. */
function changeSummary(entry: HistoryEntry): string {
  const c = entry.correction;
  if (c === 'pending') return t('web.country.changes-loading');
  if (c === null)
    return entry.submission.status === 'accepted' || entry.submission.status === 'superseded'
      ? t('web.country.first-return')
      : t('web.country.not-counted');
  if (c.unchanged) return t('web.country.unchanged');
  return t('web.country.changes-count', { count: c.days.length + c.totals.length });
}

/** The submission history, newest first: every file and its verdict. */
export function historyTable(entries: readonly HistoryEntry[]): HTMLElement {
  const rows = entries.map(({ submission: s, current }, i) =>
    h(
      'tr',
      { 'data-submission': s.id, 'data-verdict': s.status, 'aria-current': current ? 'true' : undefined },
      h('td', {}, h('time', { datetime: s.receivedAt }, formatDateTime(s.receivedAt))),
      h('td', { class: 'file' }, fileName(s.key)),
      h(
        'td',
        {},
        h('span', { class: 'pill', 'data-status': s.status }, t(`web.verdict.${s.status}`)),
        current ? h('span', { class: 'counts-now' }, ` ${t('web.country.counts-now')}`) : '',
      ),
      h('td', { class: 'num' }, formatCount(s.errors)),
      h('td', { class: 'num' }, formatCount(s.warnings)),
      h('td', {}, hashCode(s.sha256, shortHash(s.sha256))),
      h('td', { class: 'what-changed' }, changeSummary(entries[i]!)),
    ),
  );
  return table(
    t('web.country.history-caption'),
    [
      t('web.column.received'),
      t('web.column.file'),
      t('web.column.verdict'),
      t('web.column.errors'),
      t('web.column.warnings'),
      'SHA-256',
      t('web.country.what-changed'),
    ],
    rows,
    (i) => i === 3 || i === 4,
  );
}

const KIND_KEY = {
  added: 'web.country.kind.added',
  removed: 'web.country.kind.removed',
  changed: 'web.country.kind.changed',
} as const satisfies Record<FigureChange['kind'], string>;

/** What one correction changed, per metric and day (totals first), against the return it replaced. */
export function correctionBlock(
  metrics: readonly Metric[],
  submission: SubmissionView,
  replaced: SubmissionView | undefined,
  c: Correction,
): HTMLElement {
  const label = (id: string) => {
    const m = metrics.find((x) => x.id === id);
    return m ? metricText(m.id, m.label) : id;
  };
  const row = (f: FigureChange) =>
    h(
      'tr',
      { 'data-metric': f.metric, 'data-date': f.date ?? 'total', 'data-kind': f.kind },
      h('th', { scope: 'row' }, label(f.metric)),
      h(
        'td',
        {},
        f.date === null
          ? t('web.country.whole-operation')
          : h('time', { datetime: f.date }, formatDay(f.date)),
      ),
      figureCell(f.before, { 'data-side': 'before' }),
      figureCell(f.after, { 'data-side': 'after' }),
      h('td', { class: `change-kind ${f.kind}` }, t(KIND_KEY[f.kind])),
    );
  const heading = t('web.country.correction-title', {
    file: fileName(submission.key),
    received: formatDateTime(submission.receivedAt),
  });
  const replacedText = t('web.country.correction-replaced', {
    file: replaced ? fileName(replaced.key) : c.replaced,
    received: replaced ? formatDateTime(replaced.receivedAt) : '—',
  });
  const children: (Node | string)[] = [h('h4', {}, heading), h('p', { class: 'subtle' }, replacedText)];
  if (c.unchanged) children.push(h('p', {}, t('web.country.unchanged-sentence')));
  else {
    if (c.daysRemoved.length > 0)
      children.push(
        h(
          'p',
          { class: 'removed-days' },
          t('web.country.days-removed', {
            count: c.daysRemoved.length,
            days: c.daysRemoved.map((d) => formatDay(d)).join(', '),
          }),
        ),
      );
    children.push(
      table(
        heading,
        [
          t('web.country.metric'),
          t('web.country.day'),
          t('web.country.before'),
          t('web.country.after'),
          t('web.country.change'),
        ],
        [...c.totals, ...c.days].map(row),
        (i) => i === 2 || i === 3,
      ),
    );
  }
  return h('section', { class: 'correction', 'data-submission': submission.id }, ...children);
}
