import { DEFAULT_LOCALE, type Locale } from '../i18n/locale.ts';
import { renderTextReport, type TextReportSubject } from '../i18n/text-report.ts';
import type { Report } from './check-return.ts';

/** What a text report says about the file it is about (all optional). */
export type ReportSubject = TextReportSubject;

/**
 * A validation report as short readable text in `locale` (default English), for the CLI and
 * `?format=text`: the verdict and counts first, then each problem as "Row 3, column value: "-1"",
 * its code and message, and what to change. The locale must be loaded (`loadLocale`). The same
 * text as `renderTextReport`, kept under this name for the callers that already use it.
 */
export function reportText(
  report: Report,
  subject: ReportSubject = {},
  locale: Locale = DEFAULT_LOCALE,
): string {
  return renderTextReport(report, locale, subject);
}
