import type { Report } from '../domain/check-return.ts';
import type { Operation } from '../domain/operation.ts';
import type { Problem } from '../domain/problems.ts';
import { DEFAULT_LOCALE, type Locale } from './locale.ts';
import { localizeCut, renderMessage, renderProblem } from './render.ts';

/** What a text report says about the file it is about (all optional). */
export type TextReportSubject = {
  fileName?: string | undefined;
  submissionId?: string | undefined;
  /** The submission's status when it differs from the verdict (`superseded`), shown as its code. */
  status?: string | undefined;
  sha256?: string | null | undefined;
  size?: number | null | undefined;
  /** The operation the report is about: its name then reads as the definition translates it. */
  operation?: Pick<Operation, 'name' | 'names'> | undefined;
};

/**
 * A validation report as short readable text in `locale`, for the CLI, `?format=text` and stored
 * reports read again later: the verdict and counts first, then each problem (where, the value
 * found, its code, the sentence, and what to change), then what happens to the file. Codes, column
 * names and values stay as written in every language, so a report can be matched with the file and
 * with the same report in another language. Problems stored before messages became data keep
 * their stored English text.
 */
export function renderTextReport(
  report: Report,
  locale: Locale = DEFAULT_LOCALE,
  subject: TextReportSubject = {},
): string {
  const t = (key: Parameters<typeof renderMessage>[0], params = {}): string =>
    renderMessage(key, params, locale);
  const lines: string[] = [];
  const name = subject.fileName ? `${subject.fileName}: ` : '';
  const status = subject.status && subject.status !== report.verdict ? ` (${subject.status})` : '';
  lines.push(`${name}${t(report.verdict === 'accepted' ? 'verdict.accepted' : 'verdict.rejected')}${status}`);
  const { rows, errors, warnings } = report.counts;
  lines.push(t('report.counts', { rows, errors, warnings }));
  if (subject.submissionId) lines.push(t('report.submission', { id: subject.submissionId }));
  if (subject.sha256) {
    lines.push(
      subject.size != null
        ? t('report.file-hash-size', { sha256: subject.sha256, size: subject.size })
        : t('report.file-hash', { sha256: subject.sha256 }),
    );
  }
  for (const p of report.problems) {
    const text = renderProblem(p, locale, subject.operation);
    const value = p.value !== null ? `: ${JSON.stringify(localizeCut(p.value, locale))}` : '';
    const severity = t(p.severity === 'error' ? 'severity.error' : 'severity.warning');
    const at = where({ row: p.row, column: p.column && localizeCut(p.column, locale) }, t);
    lines.push('', `${at}${value}`, `  ${severity} ${p.code}: ${text.message}`, `  → ${text.hint}`);
  }
  if (report.problemsOmitted > 0) lines.push('', t('report.omitted', { count: report.problemsOmitted }));
  if (report.verdict === 'accepted' && errors === 0) {
    lines.push('', t(warnings > 0 ? 'report.counts-with-warnings' : 'report.counts-clean'));
  } else if (report.verdict === 'rejected') {
    lines.push('', t('report.rejected'));
  }
  return `${lines.join('\n')}\n`;
}

function where(
  p: Pick<Problem, 'row' | 'column'>,
  t: (key: Parameters<typeof renderMessage>[0], params?: Record<string, string | number>) => string,
): string {
  if (p.row !== null) {
    return p.column
      ? t('report.where.row-column', { row: p.row, column: p.column })
      : t('report.where.row', { row: p.row });
  }
  return p.column ? t('report.where.file-column', { column: p.column }) : t('report.where.file');
}
