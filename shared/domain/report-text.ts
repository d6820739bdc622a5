import type { Report } from './check-return.ts';

/** What a text report says about the file it is about (all optional). */
export type ReportSubject = {
  fileName?: string | undefined;
  submissionId?: string | undefined;
  status?: string | undefined;
  sha256?: string | null | undefined;
  size?: number | null | undefined;
};

/**
 * A validation report as short readable text, for the CLI and `?format=text`: the verdict and
 * counts first, then each problem as "Row 3, column value: "-1"", its code and message, and what
 * to change.
 */
export function reportText(report: Report, subject: ReportSubject = {}): string {
  const lines: string[] = [];
  const name = subject.fileName ? `${subject.fileName}: ` : '';
  const status = subject.status && subject.status !== report.verdict ? ` (${subject.status})` : '';
  lines.push(`${name}${report.verdict.toUpperCase()}${status}`);
  const { rows, errors, warnings } = report.counts;
  lines.push(
    `${rows} row${rows === 1 ? '' : 's'} read · ${errors} error${errors === 1 ? '' : 's'} · ${warnings} warning${warnings === 1 ? '' : 's'}`,
  );
  if (subject.submissionId) lines.push(`submission ${subject.submissionId}`);
  if (subject.sha256)
    lines.push(`sha256 ${subject.sha256}${subject.size != null ? ` · ${subject.size} bytes` : ''}`);
  for (const p of report.problems) {
    const where = [p.row !== null ? `Row ${p.row}` : 'File', p.column ? `column ${p.column}` : null]
      .filter(Boolean)
      .join(', ');
    const value = p.value !== null ? `: ${JSON.stringify(p.value)}` : '';
    lines.push('', `${where}${value}`, `  ${p.severity} ${p.code}: ${p.message}`, `  → ${p.hint}`);
  }
  if (report.problemsOmitted > 0) {
    lines.push(
      '',
      `… and ${report.problemsOmitted} more problem${report.problemsOmitted === 1 ? '' : 's'} of the same kinds (counts above).`,
    );
  }
  if (report.verdict === 'accepted' && errors === 0) {
    lines.push('', warnings > 0 ? 'The return counts; check the warnings above.' : 'The return counts.');
  } else if (report.verdict === 'rejected') {
    lines.push('', 'Nothing from this file was counted. Fix the rows above and upload the whole file again.');
  }
  return `${lines.join('\n')}\n`;
}
